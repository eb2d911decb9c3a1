// Vite build of the dashboard (src-renderer → dist/renderer). The same files are served by the
// headless gateway over http://127.0.0.1 and by the desktop app over app://, so every asset path
// is relative and nothing is loaded from elsewhere (the CSP allows 'self' only).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: path.join(root, 'src-renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: path.join(root, 'dist', 'renderer'),
    emptyOutDir: true,
    sourcemap: true,
    target: 'chrome120',
    chunkSizeWarningLimit: 1500,
  },
  logLevel: 'warn',
});
