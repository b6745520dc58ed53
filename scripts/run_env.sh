#!/usr/bin/env bash
# The environment of a local `make run` (sourced by scripts/run.sh, and by the test that checks
# the local run's error pages and sign-in). Anything already set in the environment wins.
#
# - DEBUG is off: a missing page answers the portal's own 404 page, never Django's debug page
#   with its list of every URL. `DEBUG=true make run` brings the debug pages back.
# - The local run serves plain http://127.0.0.1:8000, so cookies must not be marked Secure
#   (a browser would not send them back over http and sign-in would fail) and there is no
#   redirect to https: SECURE_SSL is off unless set. A real deployment sets DEBUG=false and
#   keeps SECURE_SSL on (its default when DEBUG is false).
# - With DEBUG off the settings refuse the development SECRET_KEY: a random one is made once
#   and kept in var/secret_key (readable by its owner only), unless SECRET_KEY is set here or
#   in .env.
# - The local mail viewer at /dev/mail/ stays installed (DEVTOOLS_ENABLED).
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DEBUG="${DEBUG:-false}"
export SECURE_SSL="${SECURE_SSL:-false}"
export DEVTOOLS_ENABLED="${DEVTOOLS_ENABLED:-true}"
if [ -z "${SECRET_KEY:-}" ] && ! grep -Eq '^SECRET_KEY=.{50,}' "$_root/.env" 2>/dev/null; then
  mkdir -p "$_root/var"
  if [ ! -s "$_root/var/secret_key" ]; then
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(64))' >"$_root/var/secret_key")
  fi
  SECRET_KEY="$(cat "$_root/var/secret_key")"
  export SECRET_KEY
fi
unset _root
