// Lint configuration: typescript-eslint's recommended rules, plus the layering rule
// that keeps @azure/* imports inside src/adapters (and the thin functions entry).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.local/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Sanitisers match control characters on purpose (terminal output, Table Storage keys).
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/rules/**/*.ts', 'src/app/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@azure/*'], message: 'Only src/adapters may import the Azure SDKs.' },
          ],
        },
      ],
    },
  },
);
