import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.floe/', '.tmp*/'] }, // .tmp*/: local scratch, never committed
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Only the CLI, scripts and benchmarks talk to the terminal directly.
    files: ['src/cli/**', 'bench/**', 'scripts/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The format and core layers know nothing of sources, CDC, config or the CLI.
    files: ['src/core/**', 'src/iceberg/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/cli/**', '**/config/**', '**/sources/**', '**/cdc/**', '**/pipeline/**'] }],
    },
  },
);
