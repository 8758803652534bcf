import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console's page. Built into ../dist/web, which the console's server serves (every unknown non-API path gets
// index.html); `vite` (dev) forwards /api to that server on port 3000, so the page talks to one origin either way.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Mantine and React are most of it; one chunk is fine for an admin console.
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': { target: process.env.CONSOLE_URL ?? 'http://127.0.0.1:3000', changeOrigin: false } },
  },
  preview: { host: '127.0.0.1' },
});
