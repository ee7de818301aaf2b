#!/bin/sh
# Run once by the postgres image when it creates the database (docker-entrypoint-initdb.d): lets the compose
# network's replica (profile "ha") stream with the same password as the application.
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
