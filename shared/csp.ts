// The renderer's Content-Security-Policy, in one place: the built page's meta tag
// (vite.config.ts), the header on every app:// response (electron/main) and the browser
// harness all use it. Styles may be inline (antd's CSS-in-JS); scripts only from the app.

const PAGE_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
];

/** For the page's <meta> tag (frame-ancestors is ignored there). */
export const RENDERER_CSP = PAGE_DIRECTIVES.join('; ');

/** For response headers: the page policy plus frame-ancestors. */
export const RENDERER_CSP_HEADER = [...PAGE_DIRECTIVES, "frame-ancestors 'none'"].join('; ');
