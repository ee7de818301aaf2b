#!/bin/sh
# The compose profile "ha": one of three Sentinels watching the "redis" service (quorum 2).
cat > /tmp/sentinel.conf <<CONF
port 26379
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel monitor hoidap redis 6379 2
sentinel down-after-milliseconds hoidap 5000
sentinel failover-timeout hoidap 60000
CONF
exec redis-server /tmp/sentinel.conf --sentinel
