// Fan-out of collector events to the parts that consume them (detectors, metrics, the stream).
// A subscriber that throws is a bug: it is logged and the others still run.
import type { Logger } from '../core/logger.ts';
import type { ShipwatchEvent } from '../collector/events.ts';

export type Subscriber = (event: ShipwatchEvent) => void;

export class EventBus {
  readonly #subscribers: Subscriber[] = [];
  readonly #log: Logger;

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
        this.#log.error({ err: error, kind: event.kind }, 'event subscriber failed');
      }
    }
  };
}
