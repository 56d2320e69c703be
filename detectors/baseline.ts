// Per-workload baselines: what a workload did during its learning window, as plain serialisable
// data (JSON on disk, YAML on export, edited by hand and imported back: policy as code).
// Containers are ephemeral, workloads are not: a new container of a workload that finished
// learning is judged against the workload's baseline from its first event.
import { z } from 'zod';

export const RESOURCE_METRICS = ['cpu', 'memory', 'network_rx', 'network_tx', 'pids'] as const;
export type ResourceMetric = (typeof RESOURCE_METRICS)[number];

const protocol = z.enum(['tcp', 'udp', 'icmp', 'icmpv6', 'other']);
const port = z.number().int().min(0).max(65535).nullable().default(null);

export const egressEntrySchema = z.strictObject({
  ip: z.string().nullable().default(null),
  name: z.string().nullable().default(null),
  port,
  protocol,
});

export const peerEntrySchema = z.strictObject({
  workload: z.string().min(1),
  port,
  protocol,
  direction: z.enum(['out', 'in']),
});

/** A port the workload served to clients outside Docker during learning (unexpected_inbound). */
export const inboundEntrySchema = z.strictObject({ port, protocol });

const resourceStat = z.strictObject({ median: z.number(), mad: z.number().min(0), samples: z.number().int().min(0) });

export const baselineSchema = z.strictObject({
  version: z.literal(1).default(1),
  workload: z.string().min(1),
  /** `learned`: judged against the lists below; `policy`: learn = 0 and nothing imported. */
  mode: z.enum(['learned', 'policy']).default('learned'),
  firstSeen: z.number().default(0),
  learnUntil: z.number().default(0),
  egress: z.array(egressEntrySchema).default([]),
  peers: z.array(peerEntrySchema).default([]),
  inbound: z.array(inboundEntrySchema).default([]),
  /** Program identities (see programName): exe paths, or `exe (applet)` for multi-call binaries. */
  executables: z.array(z.string()).default([]),
  /** Shells the entrypoint (a child of init) ran during learning: expected, not interactive. */
  entrypointShells: z.array(z.string()).default([]),
  pathPrefixes: z.array(z.string()).default([]),
  resources: z.partialRecord(z.enum(RESOURCE_METRICS), resourceStat).default({}),
  /**
   * The most bytes sent within one volume window (egress-bytes.ts) while learning: to any one
   * external destination, and to all of them together. What egress_volume compares against.
   */
  egressVolume: z
    .strictObject({ perDestination: z.number().min(0).default(0), total: z.number().min(0).default(0) })
    .prefault({}),
  /** Raw samples while learning (bounded), folded into `resources` when learning ends. */
  resourceSamples: z.partialRecord(z.enum(RESOURCE_METRICS), z.array(z.number())).default({}),
});

export type WorkloadBaseline = z.output<typeof baselineSchema>;
export type EgressEntry = z.output<typeof egressEntrySchema>;
export type PeerEntry = z.output<typeof peerEntrySchema>;
export type InboundEntry = z.output<typeof inboundEntrySchema>;
export type ResourceStat = WorkloadBaseline['resources'][ResourceMetric];

export function newBaseline(workload: string, now: number, learnMs: number): WorkloadBaseline {
  return baselineSchema.parse({
    workload,
    mode: learnMs > 0 ? 'learned' : 'policy',
    firstSeen: now,
    learnUntil: now + learnMs,
  });
}

/** Where a workload is in its life: the phase belongs with the baseline whose window decides it. */
export type Phase = 'learning' | 'monitoring';

export function phaseOf(baseline: WorkloadBaseline | null, now: number): Phase {
  if (!baseline) return 'learning';
  return now < baseline.learnUntil ? 'learning' : 'monitoring';
}

/** True when baseline-driven rules (unexpected_*, new_peer) may judge this workload now. */
export function judging(baseline: WorkloadBaseline | null, now: number): baseline is WorkloadBaseline {
  return baseline !== null && baseline.mode === 'learned' && phaseOf(baseline, now) === 'monitoring';
}

/** Validates an imported or PUT baseline; throws a ZodError naming each bad path. */
export function parseBaseline(raw: unknown, workload?: string): WorkloadBaseline {
  const parsed = baselineSchema.parse(raw);
  if (workload !== undefined && parsed.workload !== workload) {
    throw new Error(`baseline is for workload "${parsed.workload}", not "${workload}"`);
  }
  return parsed;
}

export function sameEgress(a: EgressEntry, b: EgressEntry): boolean {
  return a.ip === b.ip && a.name === b.name && a.port === b.port && a.protocol === b.protocol;
}

export function samePeer(a: PeerEntry, b: PeerEntry): boolean {
  return a.workload === b.workload && a.port === b.port && a.protocol === b.protocol && a.direction === b.direction;
}

export function sameInbound(a: InboundEntry, b: InboundEntry): boolean {
  return a.port === b.port && a.protocol === b.protocol;
}

/** Did the workload serve this port to outside clients while learning? */
export function inboundKnown(baseline: WorkloadBaseline, entry: InboundEntry): boolean {
  return baseline.inbound.some((known) => sameInbound(known, entry));
}

/** Is this destination in the baseline? By address, or by DNS name when one is known. */
export function egressKnown(baseline: WorkloadBaseline, dst: Omit<EgressEntry, 'ip'> & { ip: string }): boolean {
  return baseline.egress.some(
    (e) =>
      e.port === dst.port &&
      e.protocol === dst.protocol &&
      ((e.ip !== null && e.ip === dst.ip) || (e.name !== null && dst.name !== null && e.name === dst.name)),
  );
}
