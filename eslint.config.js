import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.cache/**',
      'coverage/**',
      'scratch/**',
      'bench/.data/**',
      'test/docs/.out/**',
      'docs/api/**',
      'docs/playground/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // `{}` is used deliberately as "no preloads / no joins yet" in type parameters.
      '@typescript-eslint/no-empty-object-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^fp-ts/(?!lib/)',
              message: "Import fp-ts as 'fp-ts/lib/X.js' (the bare form fails under Node ESM).",
            },
            { regex: '^io-ts/(?!lib/)', message: "Import io-ts as 'io-ts' or 'io-ts/lib/X.js'." },
          ],
        },
      ],
    },
  },
)
