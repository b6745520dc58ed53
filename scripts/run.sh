#!/usr/bin/env bash
# Start web, Celery worker, Celery beat and the local SMTP sink in the background, each in its
# own process group with a pid file under var/run, so `make stop` stops exactly these.
# Idempotent: a process that is already running is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/run var/log
VENV=.venv/bin
# DEBUG off (the portal's own error pages), plain-http cookies, a kept SECRET_KEY: see the file.
# shellcheck source=scripts/run_env.sh
source scripts/run_env.sh

running() { [ -f "var/run/$1.pid" ] && kill -0 "$(cat "var/run/$1.pid")" 2>/dev/null; }

start() {
  local name=$1; shift
  if running "$name"; then
    echo "  $name is already running (pid $(cat "var/run/$name.pid"))"
    return
  fi
  setsid nohup "$@" >"var/log/$name.log" 2>&1 </dev/null &
  echo $! >"var/run/$name.pid"
  echo "  started $name (pid $!, log var/log/$name.log)"
}

if ! running web && (exec 3<>/dev/tcp/127.0.0.1/8000) 2>/dev/null; then
  echo "Port 8000 is taken by a process that make run did not start; stop it first." >&2
  exit 1
fi

# The audit chain's signed hourly checkpoint: a key pair made once; the web and the worker get
# only the public key (verify_audit checks with it), the checkpoint job alone reads the private one.
if [ ! -s var/audit_checkpoint.key ]; then
  (umask 077 && "$VENV/python" manage.py checkpoint_audit --new-key >var/audit_checkpoint.key)
fi
if [ -z "${AUDIT_CHECKPOINT_PUBLIC_KEY:-}" ]; then
  AUDIT_CHECKPOINT_PUBLIC_KEY="$(sed -n 's/^AUDIT_CHECKPOINT_PUBLIC_KEY=//p' var/audit_checkpoint.key)"
  export AUDIT_CHECKPOINT_PUBLIC_KEY
fi

echo "Starting the portal:"
# gunicorn's default control socket is one path in the home folder, shared by every instance on
# the machine: this one keeps its own under var/run.
start web "$VENV/gunicorn" safeguarding.wsgi --bind 127.0.0.1:8000 --workers 2 --threads 4 \
  --access-logfile - --graceful-timeout 10 --control-socket var/run/gunicorn.ctl
start worker "$VENV/celery" -A safeguarding worker --loglevel=INFO --concurrency=2 -n "worker@%h"
start beat "$VENV/celery" -A safeguarding beat --loglevel=INFO --schedule var/run/celerybeat-schedule \
  --pidfile=
start checkpoint bash scripts/checkpoint_loop.sh
if "$VENV/python" manage.py help smtp_sink >/dev/null 2>&1; then
  start smtp "$VENV/python" manage.py smtp_sink --port 8025
fi

for _ in $(seq 1 60); do
  code=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8000/accounts/login/ || true)
  [ "$code" = "200" ] && break
  sleep 0.5
done
if [ "$code" != "200" ]; then
  echo "The web server did not answer; see var/log/web.log" >&2
  exit 1
fi

cat <<MSG

The portal is running on http://127.0.0.1:8000 (health: http://127.0.0.1:8000/healthz)
Debug pages are off (DEBUG=${DEBUG}); for Django's debug pages: make stop && DEBUG=true make run
Demo logins (password printed by seed_demo above, or DEMO_PASSWORD):
  clinician@demo.test   clinician2@demo.test (other team)   lead@demo.test
  deputy@demo.test      manager@demo.test                   admin@demo.test
Emails sent by the portal: http://127.0.0.1:8000/dev/mail/ (administrators, local runs)
Logs: var/log/.  Stop everything with: make stop
MSG
