// Lint: typescript-eslint's type-aware rules; the two the house style insists on are
// no-floating-promises (an unhandled rejection in a long-running agent is a silent failure) and
// consistent-type-imports (with verbatimModuleSyntax, type-only imports must say so).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// DESIGN.md's arrows: which part may import which. no-restricted-imports sees the import string as
// written, so each pattern matches a relative path that climbs (any number of ../) into a part it
// may not reach. That holds because no subfolder is named like a top-level part, so "../alerts/"
// can only mean alerts/ (test/unit/architecture.test.ts checks it). test/ is exempt (unit tests
// test internals), and so are bench/, scripts/ and bin/, which are not parts of the data flow.
const UP = '^(\\.\\./)+';
const SOURCES = ['docker', 'packets', 'flows', 'processes', 'files', 'stats'];
const EVENT_TYPES = '(events|inventory-types)\\.ts$';

/** Imports of any of these top-level parts, at any depth of ../. */
function never(parts, message) {
  return { regex: `${UP}(${parts.join('|')})/`, message };
}

/** A collector source is reached only through its index.ts: its other files are its own business. */
function door(prefix, sources) {
  return {
    regex: `${prefix}(${sources.join('|')})/(?!index\\.ts$)`,
    message: 'import a collector source through its index.ts, its only door',
  };
}
const OUTSIDE_DOOR = door(`${UP}collector/`, SOURCES);

// Detectors decide and touch nothing: no Docker, kernel, network, metrics or file system.
const IO_PACKAGES = [
  'dockerode',
  'cap',
  'netlink',
  'ws',
  'prom-client',
  'node:fs',
  'node:fs/promises',
  'fs',
  'node:net',
  'node:http',
].map((name) => ({ name, message: 'detectors/ touch nothing outside: the collector and the sinks do I/O' }));

const ARROWS = {
  core: [
    {
      // core/ is flat (the architecture test checks it): any ../ not back into core/ leaves it.
      regex: `${UP}(?!core/)`,
      message: 'core/ is the kit every part uses: it imports nothing of ours outside core/',
    },
  ],
  findings: [
    {
      regex: `${UP}(?!core/|collector/)`,
      message: 'findings/ is the vocabulary: it uses core/ and collector event and inventory types only',
    },
    {
      regex: `${UP}collector/(?!${EVENT_TYPES})`,
      message: 'findings/ may use collector/events.ts and inventory-types.ts only',
    },
    {
      regex: `${UP}collector/${EVENT_TYPES}`,
      allowTypeImports: true,
      message: 'findings/ names collector types, never its code: use import type',
    },
  ],
  collector: [
    never(
      ['detectors', 'alerts', 'response', 'agent', 'fleet'],
      'collector/ turns the world into events: it decides nothing and knows no wiring (take narrow options)',
    ),
  ],
  detectors: [
    never(
      ['alerts', 'response', 'agent', 'fleet'],
      'detectors/ decide: they deliver, act and wire nothing (return findings instead)',
    ),
    {
      regex: `${UP}collector/(?!${EVENT_TYPES})`,
      message: "detectors/ see the world through the event union only: collector's events.ts and inventory-types.ts",
    },
  ],
  alerts: [never(['detectors', 'agent'], 'alerts/ deliver what was decided: sinks never re-decide or wire')],
  response: [
    never(['detectors', 'alerts', 'agent'], 'response/ acts on a container: it neither decides nor delivers alerts'),
    {
      regex: `${UP}collector/(?!(events|inventory-types|identity)\\.ts$)`,
      message: "response/ may use collector's events.ts, inventory-types.ts and identity.ts only",
    },
  ],
  agent: [],
  fleet: [
    never(
      ['detectors', 'alerts', 'response', 'agent'],
      'fleet/ is the bus: it carries what others decided and did (the agent hands in what it needs)',
    ),
    {
      regex: `${UP}collector/(?!${EVENT_TYPES})`,
      message: "fleet/ may use collector's events.ts and inventory-types.ts only",
    },
  ],
};

/** One config object per folder, since a later object's options replace an earlier one's. */
function architecture() {
  const restrict = (files, patterns, paths) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { ...(paths ? { paths } : {}), patterns }] },
  });
  return [
    ...Object.entries(ARROWS)
      .filter(([part]) => part !== 'collector')
      .map(([part, patterns]) =>
        restrict([`${part}/**/*.ts`], [...patterns, OUTSIDE_DOOR], part === 'detectors' ? IO_PACKAGES : null),
      ),
    restrict(['collector/*.ts'], [...ARROWS.collector, door('^\\./', SOURCES)]),
    ...SOURCES.map((source) => {
      const siblings = SOURCES.filter((other) => other !== source);
      return restrict([`collector/${source}/**/*.ts`], [...ARROWS.collector, door('^\\.\\./', siblings)]);
    }),
  ];
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'build/**', 'dashboards/web/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', 'bin/*.js', 'bench/*.js', 'bench/suite/*.mjs', 'scripts/*.mjs'],
          // The plain JS files outside tsconfig (launchers, test scripts): a dozen or
          // so, linted without type information, so the default project's cost stays small.
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 16,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
  },
  {
    // The live page runs in the browser. It is plain JS, linted without type information and
    // outside the default project (its files would pass that project's file limit).
    files: ['dashboards/web/**/*.js'],
    languageOptions: {
      parserOptions: { projectService: false },
      globals: Object.fromEntries(
        [
          'document',
          'location',
          'sessionStorage',
          'history',
          'fetch',
          'WebSocket',
          'URL',
          'URLSearchParams',
          'setTimeout',
          'setInterval',
          'history',
          'window',
          'localStorage',
          'requestAnimationFrame',
          'CSS',
          'CustomEvent',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  ...architecture(),
);
