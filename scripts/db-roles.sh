#!/usr/bin/env bash
# Creates Keel's two database roles and grants, least privilege (spec.md §8):
#   OWNER  owns the schema and runs the migrations (`npm run db:migrate` connects as it);
#   APP    the servers connect as it: read and write rows, nothing else — no CREATE, ALTER, DROP.
#
#   scripts/db-roles.sh ADMIN_URL DATABASE [OWNER_ROLE] [APP_ROLE]
#
# ADMIN_URL: a superuser connection (any database on the server), e.g.
# postgres://postgres@127.0.0.1:5432/postgres. Roles default to keel_owner and keel_app.
# Passwords, when the server needs them, come from KEEL_OWNER_PASSWORD and KEEL_APP_PASSWORD,
# which psql reads from its environment (\getenv, psql 15 or later): never on a command line,
# where any local user could read them (ps, /proc/PID/cmdline).
# Safe to run again: existing roles and the database are kept, grants are re-applied.
set -euo pipefail

admin_url="${1:?usage: $0 ADMIN_URL DATABASE [OWNER_ROLE] [APP_ROLE]}"
database="${2:?usage: $0 ADMIN_URL DATABASE [OWNER_ROLE] [APP_ROLE]}"
owner="${3:-keel_owner}"
app="${4:-keel_app}"
psql_vars=(-v ON_ERROR_STOP=1 -q -v "owner=$owner" -v "app=$app" -v "database=$database")
# Set, if only to empty (no password), so that \getenv always defines the psql variables.
export KEEL_OWNER_PASSWORD="${KEEL_OWNER_PASSWORD:-}" KEEL_APP_PASSWORD="${KEEL_APP_PASSWORD:-}"

# Cluster-wide: the roles, and the database owned by OWNER.
psql "$admin_url" "${psql_vars[@]}" <<'SQL'
\getenv owner_password KEEL_OWNER_PASSWORD
\getenv app_password KEEL_APP_PASSWORD
SELECT format('CREATE ROLE %I LOGIN', :'owner') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'owner', :'owner_password') WHERE :'owner_password' <> '' \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'app', :'app_password') WHERE :'app_password' <> '' \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'owner') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'database', :'owner') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'database') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'database', :'app') \gexec
SQL

# Inside the database: OWNER owns the public schema; APP may use the schemas OWNER creates
# (public, and drizzle for the migration journal) and touch rows, never structure.
target_url="$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$admin_url" "$database")"
psql "$target_url" "${psql_vars[@]}" <<'SQL'
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'app') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT USAGE ON SCHEMAS TO %I', :'owner', :'app') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', :'owner', :'app') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', :'owner', :'app') \gexec
-- The migration journal (schema drizzle) is read by /health/ready: SELECT only.
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT SELECT ON TABLES TO %I', :'owner', :'app') \gexec
-- Objects that already exist (the script run again after migrations).
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', :'app') \gexec
SELECT format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', :'app') \gexec
SELECT format('GRANT USAGE ON SCHEMA %I TO %I', nspname, :'app') FROM pg_namespace WHERE nspname = 'drizzle' \gexec
SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA drizzle TO %I', :'app') FROM pg_namespace WHERE nspname = 'drizzle' \gexec
SQL
echo "roles ready: $owner owns database $database, $app may read and write its rows"
