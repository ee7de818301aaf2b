#!/bin/sh
# The compose profile "ha": a streaming replica of the "postgres" service, made once with pg_basebackup -R
# (which also writes the connection to the primary), then started as a hot standby.
set -e
PGDATA=/var/lib/postgresql/data/pgdata
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h postgres -U hoidap -q; do sleep 1; done
  pg_basebackup -h postgres -U hoidap -D "$PGDATA" -R -X stream --checkpoint=fast
  chmod 700 "$PGDATA"
fi
exec postgres -D "$PGDATA" -c hot_standby=on
