/**
 * The layer directions of DESIGN.md §3, enforced. `npm run lint` fails on any violation.
 * core ← {sources, mapping, validation, provenance, target, assessment} ← {jobs, bulk, intake} ← {api, cli} ← app.ts/server.ts
 * runtime (file loading for app.ts and cli) sits beside jobs: above the stages, below api/cli; api never imports it.
 */
const STAGES = '(sources|mapping|validation|provenance|target|assessment)';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-imports-nothing-above',
      comment: 'src/core is the bottom layer: it imports no other folder of src.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'stages-do-not-import-each-other-or-above',
      comment: 'A pipeline stage imports only core (and itself).',
      severity: 'error',
      from: { path: `^src/${STAGES}/` },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/$1/'] },
    },
    {
      name: 'jobs-and-bulk-stay-below-api',
      severity: 'error',
      from: { path: '^src/(jobs|bulk|intake)/' },
      to: { path: '^src/(api|cli|config)/|^src/(app|server)\\.ts$' },
    },
    {
      name: 'config-imports-only-core',
      comment: 'Configuration is validated once and passed down; it depends on nothing but core.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/config/'] },
    },
    {
      name: 'stages-do-not-read-config',
      comment: 'Config slices are passed in as options; nothing below the API reads the config module.',
      severity: 'error',
      from: { path: '^src/(core|sources|mapping|validation|provenance|target|assessment|jobs|bulk|intake)/' },
      to: { path: '^src/config/' },
    },
    {
      name: 'api-does-not-import-cli',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/cli/|^src/(app|server)\\.ts$' },
    },
    {
      name: 'runtime-stays-below-api-and-cli',
      comment: 'src/runtime reads files for the composition root and the CLI; it imports core and the stages, never what uses it.',
      severity: 'error',
      from: { path: '^src/runtime/' },
      to: { path: '^src/(api|cli|config)/|^src/(app|server)\\.ts$' },
    },
    {
      name: 'api-does-not-load-anything',
      comment: 'Handlers are thin: the API gets its services injected by app.ts and never imports the loaders of src/runtime.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/runtime/' },
    },
    {
      name: 'cross-folder-imports-go-through-index',
      comment: "A folder's index.ts is its public API (STYLE.md rule 6).",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'src-does-not-import-tests-or-bench',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    parser: 'swc',
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
