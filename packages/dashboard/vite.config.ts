import { defineConfig } from 'vite';

// JSX goes through Vite's own transform (oxc) with Preact's automatic runtime: no framework plugin needed.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // Every browser that runs the dashboard supports <link rel=modulepreload>; the polyfill would only add bytes.
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev` against a local `pecta serve`.
    proxy: { '/v1': 'http://127.0.0.1:8787', '/health': 'http://127.0.0.1:8787' },
  },
});
