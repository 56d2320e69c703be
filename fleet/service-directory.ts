// Which container of another host serves an address and port: every host writes the ports its
// containers publish (with the addresses they are reached at) to the hosts bucket, and every agent
// keeps the others' here. A flow from a container on this host to host B's published port is then
// named as B's container, so new_peer and cross_segment_traffic judge it like a flow on one host.
// An address and port claimed by two hosts names neither: a guess would name the wrong workload.
import { isIP } from 'node:net';
import { z } from 'zod';
import type { ContainerRef, Protocol } from '../collector/events.ts';
import { token } from './subjects.ts';

export const SERVICES_FORMAT = 'shipwatch.services/1';
/** Published ports kept per host: more than any real host has, few enough to bound a forged entry. */
export const MAX_SERVICES_PER_HOST = 4096;

const text = z.string().min(1).max(512);
const serviceSchema = z.object({
  ip: z.string().refine((ip) => isIP(ip) !== 0, 'expected an IP address'),
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(['tcp', 'udp']),
  id: text,
  name: text,
  image: z.string().max(512),
  workload: text,
  zone: text,
});
const entrySchema = z.object({
  format: z.literal(SERVICES_FORMAT),
  host: text,
  services: z.array(serviceSchema).max(MAX_SERVICES_PER_HOST),
  at: z.string(),
});

export type PublishedService = z.infer<typeof serviceSchema>;
export type ServicesEntry = z.infer<typeof entrySchema>;

const keyOf = (ip: string, port: number, protocol: string) => `${ip}|${port}|${protocol}`;

export class ServiceDirectory {
  readonly #own: string;
  /** keyToken (the host as a KV key token) → the host's name and its services. */
  readonly #byHost = new Map<string, { host: string; services: PublishedService[] }>();
  /** ip|port|protocol → the remote container, or null when two hosts claim it. */
  #index = new Map<string, ContainerRef | null>();

  constructor(ownHost: string) {
    this.#own = ownHost;
  }

  /**
   * Takes a host's entry as read from the bucket under `services.<keyToken>`. Returns why it was
   * refused (malformed, or one host's entry under another's key), null when applied or when it
   * is this host's own.
   */
  apply(keyToken: string, value: unknown): string | null {
    const parsed = entrySchema.safeParse(value);
    if (!parsed.success)
      return parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ');
    const entry = parsed.data;
    if (token(entry.host) !== keyToken) return `entry of host ${entry.host} under the key services.${keyToken}`;
    if (entry.host === this.#own) return null;
    this.#byHost.set(keyToken, { host: entry.host, services: entry.services });
    this.#reindex();
    return null;
  }

  /** The host's entry was deleted (or expired) from the bucket. */
  removeHost(keyToken: string): void {
    if (this.#byHost.delete(keyToken)) this.#reindex();
  }

  /** The container of another host serving ip:port, if exactly one host publishes it. */
  readonly lookup = (ip: string, port: number, protocol: Protocol): ContainerRef | null =>
    this.#index.get(keyOf(ip, port, protocol)) ?? null;

  get size(): number {
    return this.#index.size;
  }

  #reindex(): void {
    const index = new Map<string, ContainerRef | null>();
    for (const { host, services } of this.#byHost.values()) {
      for (const s of services) {
        const key = keyOf(s.ip, s.port, s.protocol);
        const ref: ContainerRef = { id: s.id, name: s.name, image: s.image, workload: s.workload, host, zone: s.zone };
        const had = index.get(key);
        index.set(key, had === undefined || (had !== null && had.host === host) ? ref : null);
      }
    }
    this.#index = index;
  }
}
