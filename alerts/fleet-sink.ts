// The fleet sink: alerts to the fleet's JetStream stream, behind the same durable per-sink queue
// as the webhooks (QueuedSink), so a bus that is down for minutes costs nothing: the queue keeps
// them on disk, in order, and the alert id as JetStream's message id makes a resend after an
// unacknowledged publish a duplicate the server drops. alerts/ does not know NATS: the agent
// hands in the publish function (fleet/).
import type { Alert } from './alert.ts';
import { delivered, retry, type AlertTransport, type SendResult } from './sink.ts';

/** Publishes one alert and resolves once the stream acknowledged it; rejects when it did not. */
export type PublishAlert = (alert: Alert, signal: AbortSignal) => Promise<void>;

export class FleetAlertTransport implements AlertTransport {
  readonly name = 'fleet';
  readonly minSeverity = 'info' as const;
  readonly wantsRepeats = false;
  readonly #publish: PublishAlert;

  constructor(publish: PublishAlert) {
    this.#publish = publish;
  }

  async send(alert: Alert, signal: AbortSignal): Promise<SendResult> {
    try {
      await this.#publish(alert, signal);
      return delivered;
    } catch (error) {
      return retry(`fleet publish: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
