#!/bin/sh
# Runs once, when the postgres container initializes an empty data directory: creates the
# gateway's role and database. The role is not a superuser and cannot bypass row-level
# security, so the tenant policies apply to every query the gateway makes; it owns its
# database, so `deskgate migrate` can create the schema.
set -eu
: "${DESKGATE_DB_PASSWORD:?DESKGATE_DB_PASSWORD is not set}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set=password="$DESKGATE_DB_PASSWORD" <<'SQL'
CREATE ROLE deskgate LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'password';
CREATE DATABASE deskgate OWNER deskgate;
REVOKE ALL ON DATABASE deskgate FROM PUBLIC;
SQL
