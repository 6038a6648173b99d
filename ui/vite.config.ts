import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { bundledLicences } from './build/licences.js';

// Tauri serves `dist/` from its own origin; the dev server is only for `tauri dev`.
export default defineConfig({
  // The licences of the bundled libraries, for the About screen (build/licences.js).
  plugins: [svelte(), ...bundledLicences({ workspaceRoot: fileURLToPath(new URL('..', import.meta.url)) })],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The WebView is a current WebKit; no legacy transforms needed.
    target: 'es2022',
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts', 'build/**/*.test.ts'],
    environment: 'node',
  },
});
