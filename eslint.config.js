// @ts-check
/**
 * Keel's lint: typescript-eslint's strict type-checked rules, plus the principles' "Do NOT"
 * list and the layer rule of spec.md §2.2 as checks that fail CI. Each Keel-specific rule is
 * proven by a fixture in tests/guardrails/.
 */
import eslint from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import sonarjs from 'eslint-plugin-sonarjs';
import tseslint from 'typescript-eslint';
import keel from './eslint-rules/index.js';

const BRANDS = 'Username|Email|Slug|NewPassword|UserId|ArticleId|CommentId|TokenVersion';

/** Selectors of the principles' forbidden constructs, each with what to do instead. */
const forbiddenSyntax = [
  {
    selector: 'ImportNamespaceSpecifier',
    message: 'No star imports: import the names you use (`import { a, b } from …`).',
  },
  {
    selector: 'ExportDefaultDeclaration',
    message: 'No default exports: export named functions and types, so imports say what they use.',
  },
  {
    selector: 'MemberExpression[object.name="sql"][property.name="raw"]',
    message:
      'No sql.raw: build the query with Drizzle, or use the sql`…` template with parameters.',
  },
  {
    selector: 'CallExpression[callee.property.name="execute"][arguments.0.type=/Literal$/]',
    message:
      'No SQL strings: build the query with Drizzle instead of passing SQL text to execute().',
  },
  {
    selector:
      'Literal[value=/^\\s*(select\\s.+\\sfrom|insert\\s+into|update\\s.+\\sset|delete\\s+from|create\\s+table|drop\\s+table)\\b/i]',
    message:
      'No SQL strings: build the query with Drizzle (or a `// sql:`-justified sql`…` template).',
  },
  {
    selector:
      'TemplateLiteral[quasis.0.value.raw=/^\\s*(select\\s.+\\sfrom|insert\\s+into|update\\s.+\\sset|delete\\s+from)\\b/i]',
    message:
      'No string-built SQL: build the query with Drizzle (or a `// sql:`-justified sql`…` template).',
  },
];

/** Transactions are opened by one function, which gives a lost connection back as failed. */
const openTransaction = {
  selector: 'CallExpression[callee.property.name="transaction"]',
  message:
    'Open a transaction with transaction() from src/infrastructure/db/transaction.ts: it closes a connection that was lost, where Drizzle would pool it again.',
};

const SQL_ONLY_IN_DB = {
  name: 'drizzle-orm',
  importNames: ['sql'],
  message: 'The sql`…` template belongs in src/infrastructure/db only.',
};

const FRAMEWORKS_OUT_OF_DOMAIN = {
  group: [
    'fastify',
    '@fastify/*',
    'drizzle-orm',
    'drizzle-orm/*',
    'pg',
    '@electric-sql/*',
    'jose',
    '@node-rs/*',
    'typebox',
    'typebox/*',
  ],
  message:
    'The domain is framework-free: declare a port (an interface in ports.ts) and implement it in infrastructure or core.',
};

const brandCast = {
  selector: `TSAsExpression > TSTypeReference > Identifier.typeName[name=/^(${BRANDS})$/]`,
  message:
    "Domain values are made by the domain's parse functions (parseUsername, parseEmail, slugFromPath, parseUserId, …), not by a cast.",
};

/** Layers of spec.md §2.2 (src/server.ts, the process entry, belongs to none: it only starts things). */
const elements = [
  { type: 'api', pattern: 'src/api' },
  { type: 'schemas', pattern: 'src/schemas' },
  { type: 'domain-shared', pattern: 'src/domain/shared' },
  { type: 'domain', pattern: 'src/domain/*', capture: ['context'] },
  { type: 'infrastructure', pattern: 'src/infrastructure' },
  { type: 'core', pattern: 'src/core' },
];
const LAYERS = elements.map((element) => element.type);

/** What each layer may import, and the reason given when it imports anything else. */
const layerRules = [
  [
    'api',
    ['api', 'schemas', 'domain-shared', 'domain', 'core'],
    'a route handler calls the domain; it may not import infrastructure.',
  ],
  [
    'schemas',
    ['schemas', 'domain-shared', 'domain'],
    'schemas describe the contract; they may import only domain constants.',
  ],
  [
    'domain-shared',
    ['domain-shared'],
    'the shared kernel (domain/shared) imports nothing outside itself.',
  ],
  [
    'domain',
    ['domain-shared', 'domain'],
    'a domain context imports only itself and domain/shared, never infrastructure, core, api or schemas.',
  ],
  [
    'infrastructure',
    ['infrastructure', 'domain-shared', 'domain', 'core'],
    'infrastructure implements domain ports; it may not import api or schemas.',
  ],
  [
    'core',
    ['core', 'domain-shared', 'domain', 'schemas'],
    'core may not import api or infrastructure; only the composition root (core/app.ts) wires them.',
  ],
];

/** @param {string} type */
const element = (type) => ({ to: { element: { type } } });

const layerPolicies = layerRules.flatMap(([from, allowed, rule]) => {
  const denied = LAYERS.filter((type) => !allowed.includes(type));
  return [
    { from: { element: { type: from } }, allow: allowed.map(element) },
    ...(denied.length === 0
      ? []
      : [
          {
            from: { element: { type: from } },
            disallow: denied.map(element),
            message: `Layer rule (spec.md §2.2): ${rule}`,
          },
        ]),
  ];
});

/** Within the domain, a context may import only its own files (plus domain/shared, above). */
const contextPolicy = {
  from: { element: { type: 'domain' } },
  disallow: [{ to: { element: { type: 'domain' } } }],
  message:
    "Layer rule (spec.md §2.2): a domain context may not import another context's internals; move the shared concept to domain/shared.",
};
const sameContextPolicy = {
  from: { element: { type: 'domain' } },
  allow: [
    {
      to: {
        element: { type: 'domain', captured: { context: '{{ from.element.captured.context }}' } },
      },
    },
  ],
};

/**
 * The composition root is one file of core (core/app.ts): it may import every layer, and no layer
 * may import it (src/server.ts, in no layer, starts it).
 */
const composition = { file: { categories: 'composition' } };
const compositionPolicies = [
  {
    disallow: [{ to: composition }],
    message:
      'Layer rule (spec.md §2.2): nothing imports the composition root (core/app.ts); take what it wires as a parameter.',
  },
  { from: composition, allow: LAYERS.map(element) },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'data/', 'drizzle/'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { keel, sonarjs },
    rules: {
      '@typescript-eslint/ban-ts-comment': [
        'error',
        {
          'ts-ignore': true,
          'ts-expect-error': 'allow-with-description',
          minimumDescriptionLength: 10,
        },
      ],
      'sonarjs/no-commented-code': 'error',
      'keel/no-swallowed-catch': 'error',
      // Everywhere: the import/export rules. The SQL rules are for src/ (test helpers may need
      // administrative SQL such as CREATE DATABASE).
      'no-restricted-syntax': ['error', ...forbiddenSyntax.slice(0, 2)],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'boundaries/files': [{ category: 'composition', pattern: 'src/core/app.ts' }],
      'boundaries/include': ['src/**/*.ts'],
      'import/resolver': { typescript: { alwaysTryTypes: true } },
    },
    rules: {
      'no-restricted-syntax': ['error', ...forbiddenSyntax, brandCast, openTransaction],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'Configuration comes from src/core/config.ts (the only reader of the environment): take it from Config.',
        },
      ],
      'no-restricted-imports': ['error', { paths: [SQL_ONLY_IN_DB] }],
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-restricted-types': [
        'error',
        {
          types: {
            'Record<string, unknown>':
              'No untyped bags between layers: declare an interface naming the fields.',
            'Readonly<Record<string, unknown>>':
              'No untyped bags between layers: declare an interface naming the fields.',
          },
        },
      ],
      // Policies are read in order and the last match decides.
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          // Imports within a layer are checked too: the composition root is a file of core.
          checkInternals: true,
          policies: [...layerPolicies, contextPolicy, sameContextPolicy, ...compositionPolicies],
        },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [SQL_ONLY_IN_DB], patterns: [FRAMEWORKS_OUT_OF_DOMAIN] },
      ],
    },
  },
  {
    // Only the database layer writes SQL, with a stated reason for each template.
    files: ['src/infrastructure/db/**/*.ts'],
    rules: { 'no-restricted-imports': 'off', 'keel/sql-needs-reason': 'error' },
  },
  {
    // The one module that reads the environment.
    files: ['src/core/config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // The domain makes its brands, and the database layer maps rows the constraints vouch for.
    files: ['src/infrastructure/db/**/*.ts', 'src/domain/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...forbiddenSyntax, openTransaction] },
  },
  {
    // The one function that opens transactions.
    files: ['src/infrastructure/db/transaction.ts'],
    rules: { 'no-restricted-syntax': ['error', ...forbiddenSyntax] },
  },
  {
    // Tests assert on parsed JSON bodies, which are untyped by nature.
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Tool configuration files default-export by the tools' conventions.
    files: ['*.config.ts', 'eslint.config.js', 'eslint-rules/*.js'],
    rules: { 'no-restricted-syntax': ['error', forbiddenSyntax[0]] },
  },
);
