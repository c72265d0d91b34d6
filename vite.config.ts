import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { RENDERER_CSP } from './shared/csp';

// The renderer build. base './' keeps every asset URL relative, so the same output loads
// under Electron's app:// protocol and from the browser harness. No inline scripts are
// emitted (CSP script-src 'self').
const rendererRoot = fileURLToPath(new URL('./renderer', import.meta.url));


/** Adds the CSP meta tag to the built page only: the dev server needs an inline HMR preamble. */
function cspMetaForBuild(): Plugin {
  return {
    name: 'salesvault-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: RENDERER_CSP }, injectTo: 'head-prepend' },
    ],
  };
}

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [react(), cspMetaForBuild()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The renderer runs in a recent Chromium (Electron 41 / the test browser).
    target: 'chrome120',
    chunkSizeWarningLimit: 4000,
    // Chromium preloads modules natively; the polyfill is not needed.
    modulePreload: { polyfill: false },
  },
  server: { host: '127.0.0.1' },
});
