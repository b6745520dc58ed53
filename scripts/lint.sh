#!/usr/bin/env bash
# Static checks: ruff, migrations in step with models, the production deploy check.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
echo "== ruff"
.venv/bin/ruff check .
echo "== migrations"
DATABASE_URL=postgres://safeguarding@127.0.0.1:5432/safeguarding $PY manage.py makemigrations --check --dry-run
echo "== deploy check (production settings)"
DEBUG=false \
  SECRET_KEY="lint-only-$(head -c 48 /dev/urandom | base64 | tr -d '/+=' | head -c 60)" \
  ALLOWED_HOSTS=safeguarding.example.org SITE_URL=https://safeguarding.example.org \
  $PY manage.py check --deploy --fail-level WARNING
