#!/usr/bin/env bash
# Starts Keel from this checkout on a fresh database and runs the official RealWorld suite
# (../shared/realworld/conformance.sh) against it, then stops what it started.
#
#   scripts/conformance.sh            # embedded PGlite in a fresh temporary DATA_DIR
#   scripts/conformance.sh postgres   # a fresh database on PG_ADMIN_URL's server
#
# Runs the built server (dist/, `npm run build` first), which is what production runs.
# PG_ADMIN_URL defaults to postgres://postgres@127.0.0.1:5432/postgres.
set -euo pipefail

mode="${1:-embedded}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
suite="${CONFORMANCE_SUITE:-$root/../shared/realworld/conformance.sh}"
port="${CONFORMANCE_PORT:-3190}"
admin_url="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
data_dir="$(mktemp -d)"
database=""
owner_role=""
app_role=""
server_pid=""

# ADMIN_URL with another user and the test database.
url_for() {
  node -e 'const u = new URL(process.argv[1]); u.username = process.argv[2]; u.pathname = "/" + process.argv[3]; console.log(u.toString())' \
    "$admin_url" "$1" "$database"
}

cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true; fi
  if [[ -n $database ]]; then
    dropdb --force --if-exists --maintenance-db="$admin_url" "$database" || true
    psql "$admin_url" -q -c "DROP ROLE IF EXISTS $app_role" -c "DROP ROLE IF EXISTS $owner_role" || true
  fi
  rm -rf "$data_dir"
}
trap cleanup EXIT

[[ -f $root/dist/server.js ]] || { echo "dist/server.js missing: run npm run build first" >&2; exit 2; }

# The suite registers and writes a lot from one address: production's abuse limits are lifted
# for it (they have their own tests).
env_vars=(NODE_ENV=production "PORT=$port" HOST=127.0.0.1 LOG_LEVEL=warn "DATA_DIR=$data_dir"
  RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE=1000000 RATE_LIMIT_LOGIN_IP_PER_MINUTE=1000000
  RATE_LIMIT_REGISTRATION_IP_PER_HOUR=1000000 RATE_LIMIT_WRITES_PER_MINUTE=1000000
  "TOKEN_SECRET=$(node -e "process.stdout.write(require('crypto').randomBytes(48).toString('base64url'))")")
case $mode in
  embedded) ;;
  postgres)
    # Production posture: an owner role migrates, the server connects as a role that can change
    # rows but not structure (scripts/db-roles.sh).
    database="keel_conformance_$$"
    owner_role="keel_owner_$$"
    app_role="keel_app_$$"
    bash "$root/scripts/db-roles.sh" "$admin_url" "$database" "$owner_role" "$app_role"
    (cd "$root" && env "${env_vars[@]}" "DATABASE_URL=$(url_for "$owner_role")" npm run --silent db:migrate:dist)
    env_vars+=("DATABASE_URL=$(url_for "$app_role")")
    ;;
  *) echo "usage: $0 [embedded|postgres]" >&2; exit 2 ;;
esac

echo "starting Keel ($mode) on port $port"
(cd "$root" && exec env "${env_vars[@]}" node_modules/.bin/node dist/server.js) &
server_pid=$!

for _ in $(seq 1 120); do
  if curl -fs -o /dev/null "http://127.0.0.1:$port/api/tags"; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { echo "Keel exited before it was ready" >&2; exit 1; }
  sleep 0.5
done

bash "$suite" "http://127.0.0.1:$port"
