#!/usr/bin/env bash
# Start PostgreSQL and Redis if they are down, and create the database roles and database.
# Idempotent: safe to run any number of times, including while the portal is running.
set -euo pipefail

DB_NAME="${DB_NAME:-safeguarding}"
DB_OWNER="${DB_OWNER:-safeguarding}"
DB_APP_ROLE="${DATABASE_APP_ROLE:-safeguarding_app}"

pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q; }
if ! pg_ready; then
  echo "Starting PostgreSQL..."
  cluster_version="$(ls /etc/postgresql | sort -n | tail -n 1)"
  pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main start || true
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  pg_ready || { echo "PostgreSQL did not start" >&2; exit 1; }
fi

redis_ready() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }
if ! redis_ready; then
  echo "Starting Redis..."
  # --daemonize exits 0 even when the port is taken, so readiness is checked with a ping.
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
  for _ in $(seq 1 20); do redis_ready && break; sleep 0.5; done
  redis_ready || { echo "Redis did not answer a ping on 127.0.0.1:6379" >&2; exit 1; }
fi

psql_admin() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA "$@"; }

# The owner runs migrations and creates test databases; the runtime role is what the web
# and worker processes connect as (no UPDATE/DELETE/TRUNCATE on the audit tables).
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '${DB_OWNER}'")" != "1" ]; then
  psql_admin -c "CREATE ROLE \"${DB_OWNER}\" LOGIN CREATEDB"
fi
psql_admin -c "ALTER ROLE \"${DB_OWNER}\" LOGIN CREATEDB" >/dev/null
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '${DB_APP_ROLE}'")" != "1" ]; then
  psql_admin -c "CREATE ROLE \"${DB_APP_ROLE}\" LOGIN NOCREATEDB NOSUPERUSER"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE \"${DB_NAME}\" OWNER \"${DB_OWNER}\""
fi
echo "PostgreSQL and Redis are up; roles ${DB_OWNER} and ${DB_APP_ROLE}, database ${DB_NAME}."
