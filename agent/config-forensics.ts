// The config keys of the forensic record (issue 19): incidents, timelines, flow history. Each
// bound is here, so an operator can size the state directory: incidents take at most
// 5 × incidents.max_bytes, timelines timeline.max_containers × 2 × timeline.max_bytes, the flow
// history 5 × flow_history.max_bytes.
import { z } from 'zod';
import { duration } from './config-duration.ts';

/** Spread into the config schema (config.ts). */
export const forensicKeys = {
  /** Correlation of alerts into incidents (one story per attack), kept in the state directory. */
  incidents: z
    .strictObject({
      /** Quiet time after which an incident closes; a later alert opens a new one. */
      gap: duration.default(5 * 60_000),
      /** Bytes per incident file; 4 rotated files are kept besides the active one. */
      max_bytes: z
        .number()
        .int()
        .min(4096)
        .default(8 << 20),
      /** Alerts listed per incident (alertCount counts them all). */
      max_alerts: z.number().int().min(1).max(10_000).default(200),
    })
    .prefault({}),
  /** Per-container record of what shipwatch saw, kept after the container is removed. */
  timeline: z
    .strictObject({
      keep_after_removal: duration.default(24 * 3_600_000),
      /** Bytes per timeline file; one rotated file is kept besides the active one. */
      max_bytes: z
        .number()
        .int()
        .min(4096)
        .default(512 * 1024),
      max_containers: z.number().int().min(1).default(500),
    })
    .prefault({}),
  /** Ended flows, a rotated JSON-lines log (4 rotated files besides the active one). */
  flow_history: z
    .strictObject({
      max_bytes: z
        .number()
        .int()
        .min(4096)
        .default(32 << 20),
      max_age: duration.default(7 * 24 * 3_600_000),
    })
    .prefault({}),
};
