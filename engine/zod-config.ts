import { z } from 'zod';

// Zod compiles object parsers with `new Function` unless told not to, and decides when a schema is
// built; the app's Content-Security-Policy forbids eval. Import this module before any schema.
z.config({ jitless: true });
