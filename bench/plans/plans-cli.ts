import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Username } from '../../src/domain/shared/username.js';
import type { Slug } from '../../src/domain/shared/slug.js';
import type { ArticleId, UserId } from '../../src/domain/shared/ids.js';
import { createArticleQueries } from '../../src/infrastructure/db/articles/article-queries.js';
import { createCommentQueries } from '../../src/infrastructure/db/comments/comment-queries.js';
import { createCommentRepository } from '../../src/infrastructure/db/comments/comment-repository.js';
import { createAccountRepository } from '../../src/infrastructure/db/identity/account-repository.js';
import { createProfileQueries } from '../../src/infrastructure/db/profiles/profile-queries.js';
import { exitWithUsage, parseCommandLine } from '../../src/infrastructure/db/parse-command-line.js';
import { benchDatabaseName, databaseUrl, DEFAULT_ADMIN_URL } from '../seed/bench-database.js';
import { findSize, unknownSize } from '../seed/dataset-sizes.js';
import { heaviestParameters } from './heaviest.js';

/**
 * `npm run bench:plans -- --size l`: the plan of every hot statement as Keel runs it, on a seeded
 * bench database kept by `npm run bench -- --keep`. Keel's own query code runs each read once
 * with a logger that records its statements and parameters; each is then prepared, run as Keel
 * runs it until PostgreSQL's plan cache has chosen (planOf), and its next execution explained
 * with `EXPLAIN (ANALYZE, BUFFERS)`, printed as Markdown for docs/performance.md. The parameters
 * are the heaviest the data holds: the most used tag, the most prolific author, the biggest
 * favoriter, the reader who follows the most authors, the most commented article. With
 * `--pgbench SECONDS`, pgbench also runs each statement alone (10 clients, prepared, its
 * parameters bound): the rate the database itself can serve it, with no Node in the way.
 */
const USAGE = 'usage: npm run bench:plans -- [--size s|m|l] [--pgbench SECONDS] [--admin-url URL]';
const { values } = parseCommandLine(
  {
    options: {
      size: { type: 'string', default: 'l' },
      'admin-url': { type: 'string', default: DEFAULT_ADMIN_URL },
      // Seconds of pgbench per statement (0: none): the database's own ceiling for it.
      pgbench: { type: 'string', default: '0' },
    },
  },
  USAGE,
);
const size = findSize(values.size) ?? exitWithUsage(USAGE, unknownSize(values.size));
const pgbenchSeconds = Number(values.pgbench);
if (values.pgbench.trim() === '' || !Number.isInteger(pgbenchSeconds) || pgbenchSeconds < 0) {
  exitWithUsage(USAGE, `--pgbench must be a whole number of seconds ≥ 0, got "${values.pgbench}"`);
}
const url = databaseUrl(values['admin-url'], benchDatabaseName(size.name));

interface Captured {
  readonly sql: string;
  readonly params: unknown[];
}

const pool = new pg.Pool({ connectionString: url, max: 2 });
let captured: Captured[] = [];
const db = drizzle({
  client: pool,
  logger: {
    logQuery(sql, params) {
      captured.push({ sql, params });
    },
  },
});

const { tag, author, favoriter, reader, commented } = await heaviestParameters(db);

const viewer = reader.id as UserId;
const page = { limit: 20, offset: 0 };
const articles = createArticleQueries(db);
/** A global first page's slugs: the cards a page reads when none is cached (spec.md §5). */
const pageSlugs = (await articles.listRefs({}, page, undefined))?.refs.map((ref) => ref.slug) ?? [];
const reads: [string, () => Promise<unknown>][] = [
  ['list (anonymous)', () => articles.list({}, page, undefined)],
  [`list (viewer following ${String(reader.follows)})`, () => articles.list({}, page, viewer)],
  [`feed (reader following ${String(reader.follows)})`, () => articles.feed(viewer, page)],
  [`by tag (${tag})`, () => articles.list({ tag }, page, undefined)],
  [`by author (${author})`, () => articles.list({ author: author as Username }, page, undefined)],
  [
    `favorited by (${favoriter})`,
    () => articles.list({ favoritedBy: favoriter as Username }, page, undefined),
  ],
  // The same lists as the card cache reads them: references, and the cards it lacks.
  ['list references (anonymous)', () => articles.listRefs({}, page, undefined)],
  [
    `list references (viewer following ${String(reader.follows)})`,
    () => articles.listRefs({}, page, viewer),
  ],
  [
    `feed references (reader following ${String(reader.follows)})`,
    () => articles.feedRefs(viewer, page),
  ],
  [`by tag references (${tag})`, () => articles.listRefs({ tag }, page, undefined)],
  [
    `by author references (${author})`,
    () => articles.listRefs({ author: author as Username }, page, undefined),
  ],
  [
    `favorited by references (${favoriter})`,
    () => articles.listRefs({ favoritedBy: favoriter as Username }, page, undefined),
  ],
  [`cards by slug (${String(pageSlugs.length)})`, () => articles.cards(pageSlugs)],
  ['article by slug', () => articles.findBySlug(commented.slug as Slug, undefined)],
  ['tags', () => articles.tags()],
  ['profile', () => createProfileQueries(db).findProfile(author as Username, undefined)],
  [
    "authentication (the token's account: role, token version)",
    () => createAccountRepository(db).findAccess(viewer),
  ],
  [
    `comments (${String(commented.comments)})`,
    async () => {
      await createCommentRepository(db).findArticleId(commented.slug as Slug);
      return createCommentQueries(db).listForArticle(commented.id as ArticleId, undefined);
    },
  ],
];

/**
 * A parameter as PostgreSQL reads it from text: an array (the cards' slugs, which hold no comma,
 * quote or brace) as an array literal.
 */
function textOf(value: unknown): string {
  return Array.isArray(value) ? `{${value.join(',')}}` : String(value);
}

/** The literal of each of `statement`'s parameters, in order, for PREPARE's EXECUTE. */
function literals(statement: Captured): string {
  return statement.params
    .map((value) => (typeof value === 'number' ? String(value) : pg.escapeLiteral(textOf(value))))
    .join(', ');
}

/**
 * Transactions per second pgbench reaches running `statement` alone for `seconds`: prepared,
 * with its parameters bound (pgbench's `:pN` variables), so PostgreSQL chooses between custom
 * and generic plans exactly as it does for Keel.
 */
async function pgbench(statement: Captured, seconds: number): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'keel-pgbench-'));
  try {
    const script = join(directory, 'statement.sql');
    await writeFile(script, `${statement.sql.replace(/\$(\d+)/g, ':p$1')};\n`);
    const variables = statement.params.flatMap((value, index) => [
      '-D',
      `p${String(index + 1)}=${textOf(value)}`,
    ]);
    const { stdout } = await promisify(execFile)('pgbench', [
      ...['-n', '-M', 'prepared', '-c', '10', '-j', '2', '-T', String(seconds), '-f', script],
      ...variables,
      url,
    ]);
    const tps = /tps = ([\d.]+)/.exec(stdout)?.[1];
    if (tps === undefined) throw new Error(`pgbench printed no rate:\n${stdout}`);
    return Math.round(Number(tps)).toLocaleString('en-US');
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** More than the five custom plans PostgreSQL makes before it weighs a generic one. */
const EXECUTIONS = 8;

/**
 * The plan PostgreSQL runs `statement` with as Keel's prepared statement: prepared, executed
 * `EXECUTIONS` times with its parameters, then explained as the next execution (generic or
 * custom, as the plan cache decided, and which it was).
 */
async function planOf(
  client: pg.PoolClient,
  statement: Captured,
): Promise<{ readonly plan: string[]; readonly kind: string }> {
  const execute = `execute keel_plan(${literals(statement)})`;
  // sql: PREPARE of a statement Keel built, captured verbatim; its parameters as literals.
  await client.query(`prepare keel_plan as ${statement.sql}`);
  try {
    for (let run = 0; run < EXECUTIONS; run++) await client.query(execute);
    // sql: how often the plan cache chose each kind of plan for it.
    const { rows } = await client.query<{ generic: string; custom: string }>(
      "select generic_plans as generic, custom_plans as custom from pg_prepared_statements where name = 'keel_plan'",
    );
    const counted = rows[0];
    const kind =
      counted !== undefined && Number(counted.generic) > 0
        ? 'generic plan'
        : 'custom plan at every execution';
    // sql: EXPLAIN of the next execution.
    const explained = await client.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers, costs off) ${execute}`,
    );
    return { plan: explained.rows.map((row) => row['QUERY PLAN']), kind };
  } finally {
    // sql: the statement's name is free again for the next one.
    await client.query('deallocate keel_plan');
  }
}

const client = await pool.connect();
try {
  process.stdout.write(`## Plans at size ${values.size.toUpperCase()}\n`);
  for (const [name, read] of reads) {
    // Once to warm the caches, once to record the statements.
    await read();
    captured = [];
    await read();
    for (const [index, statement] of captured.entries()) {
      const { plan, kind } = await planOf(client, statement);
      const time = plan.find((line) => line.startsWith('Execution Time')) ?? '';
      const part = captured.length > 1 ? ` — statement ${String(index + 1)}` : '';
      const ceiling =
        pgbenchSeconds > 0 ? `, pgbench ${await pgbench(statement, pgbenchSeconds)} per s` : '';
      process.stdout.write(
        `\n#### ${name}${part} (${kind}, ${time.replace('Execution Time: ', '')}${ceiling})\n\n` +
          `\`\`\`sql\n${statement.sql}\n\`\`\`\n\n\`\`\`\n${plan.join('\n')}\n\`\`\`\n`,
      );
    }
  }
} finally {
  client.release();
  await pool.end();
}
