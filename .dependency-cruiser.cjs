/**
 * The layering rule (docs/ARCHITECTURE.md "Layers"): imports only point down this list. Each layer
 * may import itself and the layers before it, never one after it. Checked by `npm run lint:layers`
 * (part of `npm run check` and CI).
 */
const LAYERS = [
  'core',
  'transport',
  'probes',
  'observations',
  'fingerprints',
  'policy',
  'report',
  'pipeline',
  'engine',
  'store',
  'estate',
  'lab',
  'cli',
];

const above = (i) => LAYERS.slice(i + 1);

module.exports = {
  forbidden: [
    ...LAYERS.map((layer, i) => ({
      name: `${layer}-imports-down-only`,
      comment: `${layer}/ may import only ${LAYERS.slice(0, i + 1).join(', ')}`,
      severity: 'error',
      from: { path: `^src/${layer}/` },
      to: { path: above(i).length ? `^src/(${above(i).join('|')})/` : '^$' },
    })),
    {
      name: 'no-unknown-layer',
      comment: 'every source file lives in a layer folder (src/types holds ambient declarations only)',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${LAYERS.join('|')}|types)/` },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'no import cycles (type-only imports excepted: they vanish at run time)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'src-never-imports-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
