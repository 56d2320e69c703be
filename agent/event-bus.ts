// Fan-out of collector events to the parts that consume them (detectors, metrics, the stream).
// A subscriber that throws is a bug: it is logged, counted (`failures`, per event source, for
// shipwatch_events_lost_total) and the others still run.
import type { Logger } from '../core/logger.ts';
import { eventSource, type ShipwatchEvent } from '../collector/events.ts';

export type Subscriber = (event: ShipwatchEvent) => void;

export class EventBus {
  readonly #subscribers: Subscriber[] = [];
  readonly #log: Logger;
  /** Events some subscriber failed on, by event source. */
  readonly failures: Partial<Record<ReturnType<typeof eventSource>, number>> = {};

  constructor(log: Logger) {
    this.#log = log;
  }

  subscribe(subscriber: Subscriber): void {
    this.#subscribers.push(subscriber);
  }

  readonly emit = (event: ShipwatchEvent): void => {
    for (const subscriber of this.#subscribers) {
      try {
        subscriber(event);
      } catch (error) {
        const source = eventSource(event);
        this.failures[source] = (this.failures[source] ?? 0) + 1;
        this.#log.error({ err: error, kind: event.kind }, 'event subscriber failed');
      }
    }
  };
}
