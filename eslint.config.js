// Lint: typescript-eslint's type-aware rules; the two the house style insists on are
// no-floating-promises (an unhandled rejection in a long-running agent is a silent failure) and
// consistent-type-imports (with verbatimModuleSyntax, type-only imports must say so).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'dashboards/web/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.mjs', 'dashboards/web/*.js'] },
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
    // The live page runs in the browser.
    files: ['dashboards/web/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'document',
          'location',
          'sessionStorage',
          'fetch',
          'WebSocket',
          'URL',
          'URLSearchParams',
          'setTimeout',
          'setInterval',
          'prompt',
          'alert',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    // The collector turns the world into events; agent/ wires it. The collector may use the
    // agent's leaf modules (health, logger, coded errors), never the wiring that depends on it.
    files: ['collector/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../agent/*', '!../agent/health.ts', '!../agent/logger.ts', '!../agent/errors.ts'],
              message: 'collector/ must not depend on agent/ (take narrow options instead)',
            },
          ],
        },
      ],
    },
  },
  {
    // Detectors decide and touch nothing: no Docker, kernel, network, metrics or file system.
    files: ['detectors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
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
          ],
        },
      ],
    },
  },
);
