// The duration type of every config key: text as users write it ("10m"), milliseconds in the
// frozen Config. Its own file so every part of the schema (config.ts, config-forensics.ts) uses
// the one definition, which config-schema.ts recognises by identity.
import { z } from 'zod';
import { parseDuration } from '../core/duration.ts';

/** Every duration key of the file: text as users write it, milliseconds in the frozen Config. */
export const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 500ms, 20s, 10m or 2h, got "${value}"` });
    return z.NEVER;
  }
  return ms;
});
