// The dashboard's build: a static single-page app under /ui (served by ingest-api, or by any static
// server: deploy/docker/Dockerfile's `dashboard` stage). `npx nx run dashboard:serve` runs Vite's dev
// server, proxying the API to a local ingest-api (FLOTILLA_API, default http://127.0.0.1:5005).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const api = process.env.FLOTILLA_API ?? 'http://127.0.0.1:5005';

export default defineConfig({
  root: here,
  base: '/ui/',
  plugins: [react()],
  resolve: {
    alias: { '@flotilla/api-client': path.join(root, 'libs/api-client/src/index.ts') },
  },
  build: {
    outDir: path.join(root, 'dist/apps/dashboard'),
    emptyOutDir: true,
    sourcemap: false,
    // One small app: a single chunk loads in one request.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': api, '/portal-api': api },
  },
});
