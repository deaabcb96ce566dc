import type { Random } from './random.js';

/** Tags of a developer blog, most popular first (the seeder draws them by Zipf rank). */
export const TAG_POOL: readonly string[] = (
  'javascript typescript webdev programming react node python tutorial beginners devops css ' +
  'productivity career opensource aws docker kubernetes postgresql database testing ' +
  'security architecture go rust java kotlin swift android ios vue angular svelte nextjs ' +
  'graphql api microservices cloud linux git github ci performance design ux accessibility ' +
  'machinelearning ai datascience algorithms interview discuss showdev news frontend ' +
  'backend fullstack serverless terraform observability sql nosql redis mongodb elixir ' +
  'haskell scala csharp dotnet php laravel ruby rails django flask fastapi spring deno bun ' +
  'webassembly html tailwindcss sass animation gamedev unity blockchain privacy ' +
  'cryptography networking http caching concurrency functional oop refactoring codereview ' +
  'documentation writing remote leadership startup freelance mentoring motivation health ' +
  'hardware embedded iot raspberrypi arduino electronics math statistics vim vscode ' +
  'terminal bash monitoring logging sre incident migration legacy monorepo npm packaging'
).split(' ');

const FIRST_NAMES = (
  'ada alan grace linus margaret dennis barbara ken frances edsger radia tim katherine ' +
  'donald hedy john sophie guido anita bjarne yukihiro jean carla james lin mei arjun priya ' +
  'omar fatima lucas sofia mateo emma noah olivia ivan olga kwame amara'
).split(' ');
const LAST_NAMES = (
  'lovelace turing hopper torvalds hamilton ritchie liskov thompson allen dijkstra perlman ' +
  'berners johnson knuth lamarr mccarthy wilson rossum borg stroustrup matsumoto sammet ' +
  'meyer gosling chen wang patel sharma haddad rahman silva garcia lopez muller novak ' +
  'petrova mensah okafor kim tanaka'
).split(' ');

const WORDS = (
  'the a of to and in is for with that on it we you this when your can not but every ' +
  'request query index server client cache latency throughput schema migration deploy ' +
  'container function module type error test build pipeline release feature user session ' +
  'token database table column row transaction lock event stream queue worker thread ' +
  'process memory disk network packet service endpoint route handler component state store ' +
  'render hook promise callback loop array object string number value simple fast slow ' +
  'reliable small large better faster cleaner safer always never often rarely first then ' +
  'finally because measure profile refactor ship learn write read debug trace log'
).split(' ');

const TOPICS = [
  'PostgreSQL',
  'TypeScript',
  'React',
  'Node.js',
  'Kubernetes',
  'Docker',
  'Rust',
  'Go',
  'GraphQL',
  'Redis',
  'Fastify',
  'Vue',
  'Svelte',
  'Python',
  'Terraform',
  'WebAssembly',
  'Linux',
  'Git',
  'CSS Grid',
  'Vitest',
  'Drizzle',
  'SQL',
  'HTTP/3',
  'OAuth',
  'JWT',
  'Argon2',
];
const TITLE_SHAPES: readonly ((topic: string, word: string) => string)[] = [
  (topic, word) => `How I made our ${word} layer faster with ${topic}`,
  (topic, word) => `${topic} in production: lessons from a ${word} outage`,
  (topic) => `A gentle introduction to ${topic}`,
  (topic, word) => `Why your ${word} is slow (and how ${topic} helps)`,
  (topic) => `10 things I wish I knew before using ${topic}`,
  (topic, word) => `Building a ${word} service with ${topic}, step by step`,
  (topic) => `${topic} tips for beginners`,
  (topic, word) => `Understanding the ${word} model of ${topic}`,
  (topic) => `Is ${topic} still worth learning?`,
  (topic, word) => `Testing ${word} code in ${topic} without mocks`,
];

export function personName(random: Random): { readonly first: string; readonly last: string } {
  return { first: random.pick(FIRST_NAMES), last: random.pick(LAST_NAMES) };
}

function sentence(random: Random, minWords: number, maxWords: number): string {
  const count = minWords + random.int(maxWords - minWords + 1);
  const words = Array.from({ length: count }, () => random.pick(WORDS));
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

export function articleTitle(random: Random): string {
  return random.pick(TITLE_SHAPES)(random.pick(TOPICS), random.pick(WORDS.slice(20)));
}

export function articleDescription(random: Random): string {
  return sentence(random, 8, 24);
}

export function bio(random: Random): string {
  return `${sentence(random, 4, 12)} Writing about ${random.pick(TOPICS)}.`;
}

export function commentBody(random: Random): string {
  const sentences = 1 + random.int(4);
  return Array.from({ length: sentences }, () => sentence(random, 5, 20)).join(' ');
}

/**
 * Markdown bodies assembled from a fixed pool of paragraphs: realistic lengths and shapes
 * (headings, lists, code) at a cost of one string join per article, which matters at size L.
 */
export function createBodyWriter(random: Random): (targetLength: number) => string {
  const pool = Array.from({ length: 256 }, (_, index) => {
    if (index % 16 === 0) return `## ${articleTitle(random)}`;
    if (index % 16 === 1) {
      return `\`\`\`ts\nconst ${random.pick(WORDS.slice(20))} = await db.select().from(table);\n\`\`\``;
    }
    if (index % 16 === 2) {
      return Array.from({ length: 3 }, () => `- ${sentence(random, 4, 10)}`).join('\n');
    }
    return Array.from({ length: 2 + random.int(6) }, () => sentence(random, 6, 22)).join(' ');
  });
  return (targetLength) => {
    const parts: string[] = [];
    let length = 0;
    while (length < targetLength && parts.length < 200) {
      const paragraph = random.pick(pool);
      parts.push(paragraph);
      length += paragraph.length + 2;
    }
    return parts.join('\n\n');
  };
}

/** Body lengths are log-normal (median about 1,800 characters), as blog posts are. */
export function bodyLength(random: Random): number {
  const normal =
    Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  return Math.min(30_000, Math.max(200, Math.round(1_800 * Math.exp(0.7 * normal))));
}
