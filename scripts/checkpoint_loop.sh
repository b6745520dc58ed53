#!/usr/bin/env bash
# make run's stand-in for the hourly job that alone holds the audit checkpoint key: it signs the
# audit chain's head every hour (AUDIT_CHECKPOINT_INTERVAL_SECONDS). The key is read here from
# var/audit_checkpoint.key, never passed to the web or the worker, nor on a command line.
# A deployment runs `manage.py checkpoint_audit` from its own timer with the key in its own
# environment, on a host whose checkpoint file the database's writers cannot rewrite.
set -euo pipefail
cd "$(dirname "$0")/.."
AUDIT_CHECKPOINT_PRIVATE_KEY="$(sed -n 's/^AUDIT_CHECKPOINT_PRIVATE_KEY=//p' var/audit_checkpoint.key)"
export AUDIT_CHECKPOINT_PRIVATE_KEY
while true; do
  .venv/bin/python manage.py checkpoint_audit || echo "checkpoint_audit failed; trying again next time" >&2
  sleep "${AUDIT_CHECKPOINT_INTERVAL_SECONDS:-3600}"
done
