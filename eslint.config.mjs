// Lint: strict TypeScript habits plus Nx module boundaries between apps and libs.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** Packages only their own lib imports. */
const ownLibOnly = ['typeorm', 'bullmq', 'dockerode', 'mysql2', 'better-sqlite3'].map((name) => ({ name, message: `${name} is imported only by its own lib` }));

const typedFiles = ['apps/*/src/**/*.ts', 'apps/*/web/**/*.ts', 'apps/*/tests/**/*.ts', 'libs/*/src/**/*.ts', 'libs/*/tests/**/*.ts', 'examples/*/src/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts'];

/** Nx module boundaries between apps and libs (tags in each project.json). */
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:util', 'type:domain', 'type:data', 'type:rpc', 'type:framework', 'type:driver', 'type:testing', 'type:plugin-api'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'], bannedExternalImports: ['typeorm', 'bullmq', 'dockerode', 'mysql2', 'better-sqlite3'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:util'], bannedExternalImports: ['typeorm', 'bullmq', 'dockerode', 'mysql2', 'better-sqlite3', 'ioredis'] },
  { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:util', 'type:domain'], bannedExternalImports: ['bullmq', 'dockerode', 'ioredis'] },
  { sourceTag: 'type:rpc', onlyDependOnLibsWithTags: ['type:util', 'type:domain'], bannedExternalImports: ['typeorm', 'dockerode', 'mysql2', 'better-sqlite3'] },
  { sourceTag: 'type:framework', onlyDependOnLibsWithTags: ['type:util', 'type:domain', 'type:rpc', 'type:plugin-api'], bannedExternalImports: ['typeorm', 'bullmq', 'dockerode', 'mysql2', 'better-sqlite3'] },
  { sourceTag: 'type:driver', onlyDependOnLibsWithTags: ['type:util', 'type:domain', 'type:driver'], bannedExternalImports: ['typeorm', 'bullmq', 'mysql2', 'better-sqlite3'] },
  // The plug-in contract re-exports the driver interfaces (types only); a plug-in imports the contract and nothing else.
  { sourceTag: 'type:plugin-api', onlyDependOnLibsWithTags: ['type:util', 'type:domain', 'type:driver'], bannedExternalImports: ['typeorm', 'bullmq', 'dockerode', 'mysql2', 'better-sqlite3', 'ioredis'] },
  { sourceTag: 'type:plugin', onlyDependOnLibsWithTags: ['type:plugin-api'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util', 'type:domain', 'type:testing'] },
  { sourceTag: 'scope:compute', notDependOnLibsWithTags: ['type:data'] },
  { sourceTag: 'scope:wsproxy', notDependOnLibsWithTags: ['type:data', 'type:driver', 'scope:compute'] },
  // The container, volume and network drivers run on compute hosts only.
  { sourceTag: 'scope:api', notDependOnLibsWithTags: ['type:driver', 'scope:compute'] },
  { sourceTag: 'scope:conductor', notDependOnLibsWithTags: ['type:driver', 'scope:compute'] },
  { sourceTag: 'scope:scheduler', notDependOnLibsWithTags: ['type:driver', 'scope:compute'] },
];

export default [
  { ignores: ['**/node_modules/**', 'dist/**', '.nx/**', '.stack/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended.map((c) => ({ ...c, files: typedFiles })),
  {
    files: typedFiles,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite'] }] }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints,
        },
      ],
    },
  },
  {
    // The integration tests of driver libs (and of the Glance client) drive real engines, simulated hosts and
    // services through the testing helpers.
    files: ['libs/*/tests/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: depConstraints.map((c) =>
            c.sourceTag === 'type:driver' || c.sourceTag === 'type:util' ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] } : c,
          ),
        },
      ],
    },
  },
  {
    // Only the driver libs (libs/compute-driver-docker, libs/network-driver-vxlan) may talk to Docker, only libs/db to the database, only libs/rpc to BullMQ.
    files: ['apps/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ownLibOnly }],
    },
  },
  {
    // API controllers parse, call a service and render: the database and RPC are the services' business.
    // (This entry replaces the one above for these files, so it repeats its list.)
    files: ['apps/api/src/**/*.controller.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...ownLibOnly,
            { name: '@zun-ts/db', message: 'controllers reach the database only through a service' },
            { name: '@zun-ts/rpc', message: 'controllers reach other services only through a service' },
          ],
          patterns: [
            { group: ['@zun-ts/db/*'], message: 'controllers reach the database only through a service' },
            { group: ['@zun-ts/rpc/*'], message: 'controllers reach other services only through a service' },
          ],
        },
      ],
    },
  },
];
