import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

// The pure layers (ledger core and consensus) must stay deterministic: no IO, no clock, no
// randomness, no timers and no awaiting inside. Time, randomness and async crypto come in as
// inputs; this is what lets the simulator replay any run from a seed.
const pureLayers = ['src/lib/core/**', 'src/lib/consensus/**'];
const pureRestrictedImports = {
  patterns: [
    {
      group: ['libp2p', '@libp2p/*', '@chainsafe/*', '@multiformats/*'],
      message: 'no networking in the pure core',
    },
    {
      group: ['idb', 'fake-indexeddb', 'fake-indexeddb/*'],
      message: 'no storage in the pure core',
    },
    {
      group: ['node:*', 'fs', 'path', 'crypto', 'os'],
      message: 'no Node built-ins in the pure core',
    },
    { group: ['$app/*', 'svelte', 'svelte/*'], message: 'no UI in the pure core' },
    {
      group: ['**/store/**', '**/net/**', '**/node/**', '**/ui/**', '**/server/**'],
      message: 'the pure core imports no outer layer',
    },
  ],
};
const impure = 'is impure: take it as an input from the driver';
const pureRestrictedGlobals = [
  'Date',
  'setTimeout',
  'setInterval',
  'clearTimeout',
  'clearInterval',
  'setImmediate',
  'queueMicrotask',
  'requestAnimationFrame',
  'performance',
  'crypto',
  'fetch',
  'indexedDB',
  'window',
  'document',
  'navigator',
  'localStorage',
  'sessionStorage',
  'WebSocket',
  'RTCPeerConnection',
  'BroadcastChannel',
  'Worker',
  'process',
].map((name) => ({ name, message: `${name} ${impure}` }));

export default ts.config(
  {
    ignores: [
      'build/',
      '.svelte-kit/',
      'node_modules/',
      'bench/results/',
      'bench/orbitdb/',
      'static/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-undef': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: ts.parser,
        svelteConfig,
      },
    },
  },
  {
    files: pureLayers,
    rules: {
      'no-restricted-imports': ['error', pureRestrictedImports],
      'no-restricted-globals': ['error', ...pureRestrictedGlobals],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: `Math.random ${impure}` },
        { object: 'globalThis', message: `globalThis ${impure}` },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'AwaitExpression',
          message: 'no await in the pure core: results come back as inputs',
        },
        {
          selector:
            'FunctionDeclaration[async=true], ArrowFunctionExpression[async=true], FunctionExpression[async=true]',
          message: 'no async functions in the pure core',
        },
      ],
    },
  },
);
