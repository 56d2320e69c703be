// The sink contract (STYLE.md): a transport's `send(alert)` answers with a value, never a throw —
// delivered, retry (optionally after a delay the receiver asked for) or failed (will never work).

import type { DeliverWhat, Deliverable } from './incident-delivery.ts';
import type { Severity } from '../findings/index.ts';

export type SendResult =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; after: number | null; reason: string }
  | { outcome: 'failed'; reason: string };

export interface AlertTransport {
  /** Metric label and queue directory name: low-cardinality, stable across restarts. */
  readonly name: string;
  readonly minSeverity: Severity;
  /** Whether repeats (same id, count raised) are delivered again; Alertmanager wants them to refresh endsAt. */
  readonly wantsRepeats: boolean;
  /** Single alerts (the default), incidents (incident-delivery.ts) or both. */
  readonly deliver?: DeliverWhat;
  send(item: Deliverable, signal: AbortSignal): Promise<SendResult>;
}

export const delivered: SendResult = { outcome: 'delivered' };
export const retry = (reason: string, after: number | null = null): SendResult => ({ outcome: 'retry', after, reason });
export const failed = (reason: string): SendResult => ({ outcome: 'failed', reason });
