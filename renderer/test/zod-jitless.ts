import { z } from 'zod';

// Imported first by fake-entry.ts. That script runs before the page's CSP meta tag is parsed,
// so zod would detect eval as available and later fail under script-src 'self'. Schemas read
// this setting when they are built, hence a module of its own that runs before any schema.
z.config({ jitless: true });
