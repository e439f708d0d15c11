import { defineConfig } from 'vitest/config';

// One config for the library build (vite library mode) and the unit tests (vitest).
// The demo and the e2e app start their own vite dev servers from demo/server/stack.ts.
export default defineConfig({
  build: {
    lib: {
      entry: 'src/index.ts',
      formats: ['es'],
      fileName: () => 'index.js',
    },
    target: 'es2022',
    minify: false,
    sourcemap: true,
    emptyOutDir: true,
    rollupOptions: {
      external: ['oauth4webapi', 'idb-keyval'],
    },
  },
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'happy-dom',
    setupFiles: ['test/unit/setup.ts'],
  },
});
