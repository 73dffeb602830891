import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

/** Replaces the build-time flags `__DEBUG__` and `__LAZY_OUTCOME__` (declared in src/globals.d.ts). */
const define = (debug, lazyOutcome = false) => ({
  name: 'define-flags',
  transform: (code, id) =>
    id.endsWith('.ts') && /__(DEBUG|LAZY_OUTCOME)__/.test(code)
      ? { code: code.replaceAll('__DEBUG__', String(debug)).replaceAll('__LAZY_OUTCOME__', String(lazyOutcome)), map: null }
      : null,
});

/**
 * Before minifying: every `const` declaration becomes `let` (2 bytes shorter; one keyword instead of two compresses
 * better, and terser then joins neighbouring declarations). Same behaviour: TypeScript already checked that these
 * bindings are never reassigned, and `let` has the same block scope and temporal dead zone.
 */
const constToLet = () => ({
  name: 'const-to-let',
  renderChunk(code) {
    const starts = [];
    const walk = (node) => {
      if (!node || typeof node.type != 'string') return;
      if (node.type == 'VariableDeclaration' && node.kind == 'const') starts.push(node.start);
      for (const v of Object.values(node)) for (const c of Array.isArray(v) ? v : [v]) if (c && typeof c == 'object') walk(c);
    };
    walk(this.parse(code));
    let out = code;
    for (const s of starts.sort((a, b) => b - a)) {
      if (out.slice(s, s + 5) != 'const') throw new Error('const-to-let: no `const` at ' + s);
      out = out.slice(0, s) + 'let' + out.slice(s + 5);
    }
    return { code: out, map: null };
  },
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

/**
 * After minifying: no trailing newline. The minified code holds no other newline, so that one costs gzip a symbol
 * of its own (4 bytes of dist/tag.js).
 */
const trimEnd = () => ({
  name: 'trim-end',
  generateBundle(_, bundle) {
    for (const chunk of Object.values(bundle)) if (chunk.type == 'chunk') chunk.code = chunk.code.trimEnd();
  },
});

const minify = () =>
  terser({
    ecma: 2020,
    compress: {
      passes: 3,
      pure_getters: true,
      keep_fargs: false, // drops unused trailing parameters
      unsafe_arrows: true, // no function here uses `this`/`arguments`/`new`
      unsafe: true,
      unsafe_comps: true,
      unsafe_math: true,
      unsafe_methods: true,
      unsafe_regexp: true,
      unsafe_undefined: true,
    },
    format: { comments: false },
  });

export default [
  {
    // What sites embed and the server serves at /tag.js: everything bundled (contract table + custom_data).
    // Output is ES2022 (`??`, `?.`, `||=`): the runtime baseline is already set by Object.hasOwn and
    // fetch keepalive — Chrome/Edge 93+, Firefox 92+, Safari/iOS 15.4+ (see README, Size).
    input: 'src/iife.ts',
    // No "use strict" prologue: the TypeScript source is strict-checked, the prologue only costs bytes.
    output: { file: 'dist/tag.js', format: 'iife', strict: false },
    plugins: [
      define(false, true),
      resolve({ browser: true, exportConditions: ['browser', 'default'] }),
      ts('ES2022'),
      constToLet(),
      minify(),
      trimEnd(),
    ],
  },
  {
    // What dist/tag.js imports, with `debug` only, from the server that answered a forward (served at /tag-debug.js):
    // the reading and logging of the answer (src/outcome.ts).
    input: 'src/debug.ts',
    output: { file: 'dist/tag-debug.js', format: 'es' },
    plugins: [define(false, true), ts('ES2022'), constToLet(), minify(), trimEnd()],
  },
  {
    // For bundlers: dependencies stay imports.
    input: 'src/index.ts',
    output: { file: 'dist/index.js', format: 'es' },
    external: ['@capi-bridge/contract'],
    plugins: [define(true), ts('ES2022')],
  },
];
