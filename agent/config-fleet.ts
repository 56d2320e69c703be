// The `fleet` section: where the NATS JetStream cluster is and how to log in. Off (null) by
// default: an agent without it needs no NATS and behaves exactly as a lone agent. Secrets are read
// from files while the config is validated, like the webhooks' secret_file, so a missing file is
// reported by check-config with its key path; redact.ts hides the values by their key names.
import { isIP } from 'node:net';
import { z } from 'zod';
import { readSecretFile } from '../core/secret-files.ts';

export const FLEET_PUBLISH = ['alerts', 'flows', 'inventory'] as const;

const natsUrl = z
  .string()
  .regex(/^(nats|tls):\/\/[^\s/]+$/, 'expected a NATS URL like nats://127.0.0.1:4222 or tls://nats.example:4222');

export const fleetSchema = z
  .strictObject({
    servers: z.array(natsUrl).min(1),
    user: z.string().min(1).optional(),
    password_file: z.string().min(1).optional(),
    token_file: z.string().min(1).optional(),
    /** A NATS .creds file (JWT and NKey seed), as `nsc` writes it. */
    creds_file: z.string().min(1).optional(),
    tls: z
      .strictObject({
        ca: z.string().min(1).optional(),
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
      })
      .refine((tls) => !tls.cert === !tls.key, { message: 'cert and key go together' })
      .nullable()
      .default(null),
    /** Merge learned baselines into the fleet's KV bucket and apply everyone else's. */
    share_baselines: z.boolean().default(true),
    publish: z.array(z.enum(FLEET_PUBLISH)).default([...FLEET_PUBLISH]),
    /**
     * Where other hosts reach this host's published ports (with `inventory` published). null:
     * every address of the host's own interfaces, Docker's bridges and veths left out.
     */
    addresses: z
      .array(z.string().refine((ip) => isIP(ip) !== 0, 'expected an IP address'))
      .nullable()
      .default(null),
  })
  .transform((fleet, ctx) => {
    const methods = [fleet.user !== undefined, fleet.token_file !== undefined, fleet.creds_file !== undefined];
    if (methods.filter(Boolean).length > 1)
      ctx.addIssue({ code: 'custom', message: 'give one of user/password_file, token_file or creds_file' });
    if (fleet.password_file !== undefined && fleet.user === undefined)
      ctx.addIssue({ code: 'custom', path: ['password_file'], message: 'password_file needs user' });
    const secret = (key: 'password_file' | 'token_file' | 'creds_file'): string | null => {
      const file = fleet[key];
      if (file === undefined) return null;
      const read = readSecretFile(file);
      if (read.ok) return read.value;
      ctx.addIssue({ code: 'custom', path: [key], message: read.message });
      return null;
    };
    return {
      ...fleet,
      password: secret('password_file'),
      token: secret('token_file'),
      creds_secret: secret('creds_file'),
    };
  });

export type FleetConfig = z.output<typeof fleetSchema>;
