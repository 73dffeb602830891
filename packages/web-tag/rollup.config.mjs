import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

/** Replaces the build-time `__DEBUG__` flag (declared in src/globals.d.ts). */
const define = (debug) => ({
  name: 'define-debug',
  transform: (code, id) => (id.endsWith('.ts') && code.includes('__DEBUG__') ? { code: code.replaceAll('__DEBUG__', String(debug)), map: null } : null),
});

const ts = (target) =>
  typescript({
    tsconfig: './tsconfig.build.json',
    target,
    module: 'ESNext',
    moduleResolution: 'Bundler',
    composite: false,
    declaration: false,
    declarationMap: false,
    emitDeclarationOnly: false,
    noEmit: false,
    incremental: false,
    sourceMap: false,
    outDir: 'dist',
  });

export default [
  {
    // What sites embed and the server serves at /tag.js: everything bundled (contract table, uuid v4).
    input: 'src/iife.ts',
    output: { file: 'dist/tag.js', format: 'iife' },
    plugins: [
      define(false),
      resolve({ browser: true, exportConditions: ['browser', 'default'] }),
      ts('ES2020'),
      terser({
        ecma: 2020,
        compress: { passes: 2, pure_getters: true, unsafe_arrows: true },
        mangle: { properties: { regex: /^\$/ } },
        format: { comments: false },
      }),
    ],
  },
  {
    // For bundlers: dependencies stay imports.
    input: 'src/index.ts',
    output: { file: 'dist/index.js', format: 'es' },
    external: ['@capi-bridge/contract', 'uuid'],
    plugins: [define(true), ts('ES2022')],
  },
];
