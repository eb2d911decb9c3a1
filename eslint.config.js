// Lint rules, including the process boundaries of docs/architecture.md#layers:
// src-shared imports nothing outside itself and no node:/electron/DOM; only src-main/electron
// imports electron; src-renderer never imports src-main.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'crypto',
  'child_process',
  'net',
  'http',
  'https',
  'stream',
  'events',
  'url',
  'util',
  'worker_threads',
  'readline',
  'process',
  'buffer',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'release/', 'test-results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
  {
    files: ['src-shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../*', '../../src-main/*', '../../src-renderer/*', '**/src-main/**', '**/src-renderer/**'],
              message: 'src-shared is self-contained: it imports nothing outside src-shared.',
            },
            { group: nodeBuiltins, message: 'src-shared is pure TypeScript: no Node built-ins (it runs in the renderer too).' },
            { group: ['electron', 'electron/*'], message: 'Only src-main/electron imports electron.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/**'],
    ignores: ['src-main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*'],
              message: 'Only src-main/electron imports electron; keep the rest runnable in plain Node.',
            },
            { group: ['**/src-renderer/**'], message: 'The main process never imports renderer code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/src-main/**'], message: 'The renderer talks to main only through GatewayClient (src-shared protocol).' },
            { group: ['electron', 'electron/*'], message: 'The renderer uses window.switchboard from the preload, never electron.' },
            { group: nodeBuiltins, message: 'The renderer runs in a sandboxed browser context: no Node built-ins.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
