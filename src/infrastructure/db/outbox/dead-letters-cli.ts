import { runDatabaseTool } from '../database-tool.js';
import { exitWithUsage, parseCommandLine } from '../parse-command-line.js';
import { listDeadLetters, redriveDeadLetters } from './dead-letters.js';

const USAGE = `usage: npm run outbox:dead-letters -- list [--limit N]
       npm run outbox:dead-letters -- redrive (ID… | --all)`;

/**
 * `npm run outbox:dead-letters`: lists the deliveries that ran out of tries (one JSON line each,
 * newest first) or gives them back to their consumers (spec.md §4.1; README, "Events").
 */
const { positionals, values } = parseCommandLine(
  {
    allowPositionals: true,
    options: { all: { type: 'boolean', default: false }, limit: { type: 'string', default: '50' } },
  },
  USAGE,
);
const [command, ...rest] = positionals;
const ids = rest.map(Number);
const limit = Number(values.limit);
const valid =
  (command === 'list' && rest.length === 0 && Number.isInteger(limit) && limit > 0) ||
  (command === 'redrive' &&
    (values.all ? rest.length === 0 : ids.length > 0 && ids.every(Number.isSafeInteger)));
if (!valid) exitWithUsage(USAGE);

await runDatabaseTool(async ({ log, database }) => {
  if (command === 'list') {
    for (const letter of await listDeadLetters(database.db, limit)) {
      process.stdout.write(`${JSON.stringify(letter)}\n`);
    }
  } else {
    const redriven = await redriveDeadLetters(database.db, values.all ? 'all' : ids);
    log.info({ redriven }, 'dead letters given back to their consumers');
  }
});
