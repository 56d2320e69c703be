// The forensic record the agent keeps beside the alerts: per-container timelines and the flow
// history, fed from the event bus and the alerts raised, swept by age once a minute. A write that
// fails (disk full) costs that record, never the pipeline: it is counted and logged once a minute.
import type { ShipwatchEvent } from '../collector/events.ts';
import type { Alert } from '../alerts/alert.ts';
import { FlowHistory } from '../alerts/flow-history.ts';
import { Timelines } from '../alerts/timeline.ts';
import type { Logger } from '../core/logger.ts';
import type { Config } from './config.ts';

const SWEEP_MS = 60_000;

export class Forensics {
  readonly timelines: Timelines;
  readonly flowHistory: FlowHistory;
  /** Records lost to failed writes. */
  failures = 0;
  readonly #log: Logger;
  readonly #alive: (id: string) => boolean;
  #timer: NodeJS.Timeout | null = null;
  #lastLog = 0;

  constructor(config: Config, log: Logger, alive: (id: string) => boolean) {
    this.timelines = new Timelines(config.state_dir, config.timeline);
    this.flowHistory = new FlowHistory(config.state_dir, config.flow_history);
    this.#log = log;
    this.#alive = alive;
  }

  readonly onEvent = (event: ShipwatchEvent): void => {
    this.#guard(() => {
      this.timelines.onEvent(event);
      if (event.kind === 'flow.end') this.flowHistory.record(event.flow, event.at);
    });
  };

  onAlert(alert: Alert): void {
    this.#guard(() => this.timelines.onAlert(alert));
  }

  start(): void {
    this.#timer = setInterval(() => this.#guard(() => this.timelines.sweep(Date.now(), this.#alive)), SWEEP_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  #guard(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.failures++;
      const now = Date.now();
      if (now - this.#lastLog < SWEEP_MS) return;
      this.#lastLog = now;
      this.#log.error({ err: error, failures: this.failures }, 'timeline or flow history write failed');
    }
  }
}
