#!/usr/bin/env bash
# Fails when the Drizzle schema and the committed migrations have drifted apart: generating
# a migration from the schema must produce nothing new. Fix: `npm run db:generate -- --name <change>`
# and commit the new SQL under drizzle/.
#
#   scripts/check-migrations.sh [SCHEMA_GLOB ...]   (default: the app's schema files)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# drizzle-kit only takes an output folder relative to the working directory.
work="node_modules/.cache/keel-drift-check-$$"
schemas=("$@")
[[ ${#schemas[@]} -gt 0 ]] || schemas=('./src/infrastructure/db/schema/*.ts')
schema_list=$(printf "'%s', " "${schemas[@]}")
rm -rf "$work" && mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cp -r drizzle "$work/drizzle"
# The settings of drizzle.config.ts, writing into the copy instead of the tree.
cat >"$work/drizzle.config.ts" <<CONFIG
export default {
  dialect: 'postgresql',
  schema: [${schema_list}],
  out: './$work/drizzle',
  strict: true,
};
CONFIG
npx drizzle-kit generate --config "$work/drizzle.config.ts" --name drift_check >"$work/log" 2>&1 || true
if grep -q "No schema changes" "$work/log"; then
  echo "migrations match the schema"
  exit 0
fi
if grep -q "Your SQL migration file" "$work/log"; then
  echo "schema drift: the Drizzle schema has changes that no committed migration contains." >&2
  echo "Run \`npm run db:generate -- --name <change>\` and commit the new file under drizzle/:" >&2
  cat "$work"/drizzle/*drift_check.sql >&2
  exit 1
fi
echo "drizzle-kit generate failed:" >&2
cat "$work/log" >&2
exit 1
