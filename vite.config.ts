import { defineConfig } from 'vitest/config';

/** One build entry per package entry; `dist/<name>/index.js` mirrors `src/<name>/`. */
const entries = {
  index: 'src/index.ts',
  'react/index': 'src/react/index.tsx',
  'vue/index': 'src/vue/index.ts',
  'testing/index': 'src/testing/index.ts',
};

/** Never bundled: the runtime dependencies and the optional peers (bare names and their subpaths). */
const external = /^(oauth4webapi|idb-keyval|react|react-dom|vue|vue-router)(\/.*)?$/;

// One config for the library build (vite library mode) and the unit tests (vitest).
// The demo and the e2e apps start their own vite dev servers from demo/server/stack.ts.
//
// The bindings import the core as '../index.js' (its public entry). Because the
// core is an entry of the same build, rollup keeps it in dist/index.js and the
// bindings' outputs import '../index.js': one copy of the core at run time, shared
// by `latchkey` and `latchkey/react` (same module URL).
export default defineConfig({
  build: {
    lib: {
      entry: entries,
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    target: 'es2022',
    minify: false,
    sourcemap: true,
    emptyOutDir: true,
    rollupOptions: {
      external: (id) => external.test(id),
      preserveEntrySignatures: 'allow-extension',
      output: { chunkFileNames: 'shared/[name]-[hash].js' },
    },
  },
  test: {
    include: ['test/unit/**/*.test.{ts,tsx}'],
    environment: 'happy-dom',
    setupFiles: ['test/unit/setup.ts'],
  },
});
