// Lint for mistakes, not style: prettier owns layout. `npm test` runs it after tsc.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'node_modules/', 'test-artifacts/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  // The plain JavaScript files (bin, build scripts) run in Node; TypeScript checks the rest.
  { files: ['**/*.{js,mjs}'], languageOptions: { globals: globals.node } },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a parameter or binding that is unused on purpose, and
      // `const { a, ...rest } = o` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
);
