// The journal's door for the pipeline when the disk may refuse (full, or a file system the kernel
// turned read-only). A refused alert is logged on stdout at once with every field (the error line)
// and held, in raise order, until the journal takes lines again — retried before each new alert
// and on the pipeline's timer — and only then handed on (logged as `alert`, streamed, delivered).
// So "in the journal before any sink sees it" holds, and nothing raised while the disk refused is
// lost while the agent lives. /healthz shows `journal: degraded` while anything is held.
import type { Alert } from './alert.ts';
import { alertLogFields } from './log.ts';
import type { Health } from '../core/health.ts';
import type { Logger } from '../core/logger.ts';

export interface JournalBacklogOptions {
  journal: { append(alert: Alert): void };
  log: Logger;
  health?: Health;
  /** A held alert (or repeat line) is journalled at last: hand it on. */
  onJournalled: (alert: Alert, repeat: boolean) => void;
  /** Most alerts held; past it a refused alert is on stdout only (counted, logged once). */
  max?: number;
}

export class JournalBacklog {
  readonly #o: JournalBacklogOptions;
  readonly #max: number;
  readonly #held: [Alert, boolean][] = [];
  #lastError: unknown = null;
  /** Refused alerts not held (the backlog was full) since the journal last took a line. */
  #dropped = 0;

  constructor(options: JournalBacklogOptions) {
    this.#o = options;
    this.#max = options.max ?? 10_000;
  }

  get held(): number {
    return this.#held.length;
  }

  /** Journals the alert now (true: the caller hands it on) or holds it behind those refused before. */
  write(alert: Alert, repeat: boolean): boolean {
    if (this.#held.length > 0) this.retry();
    if (this.#held.length === 0 && this.#append(alert)) {
      this.#recovered();
      return true;
    }
    this.#refuse(alert, repeat);
    return false;
  }

  /** Journals held alerts in order while the journal takes them. */
  retry(): void {
    while (this.#held.length > 0) {
      const [alert, repeat] = this.#held[0]!;
      if (!this.#append(alert)) return;
      this.#held.shift();
      this.#o.onJournalled(alert, repeat);
    }
    this.#recovered();
  }

  #append(alert: Alert): boolean {
    try {
      this.#o.journal.append(alert);
      return true;
    } catch (error) {
      this.#lastError = error;
      return false;
    }
  }

  #refuse(alert: Alert, repeat: boolean): void {
    const code = (this.#lastError as NodeJS.ErrnoException | null)?.code ?? String(this.#lastError);
    const kept = this.#held.length < this.#max;
    if (kept) this.#held.push([alert, repeat]);
    else this.#dropped++;
    this.#o.health?.set(
      'journal',
      'degraded',
      `alert journal write failed (${code}); ${this.#held.length} alerts on stdout only until the journal takes them`,
    );
    this.#o.log.error(
      { err: this.#lastError, ...alertLogFields(alert, repeat), held: kept },
      'alert journal write failed',
    );
    if (!kept && this.#dropped === 1)
      this.#o.log.warn({ max: this.#max }, 'alert journal backlog full: further refused alerts are on stdout only');
  }

  #recovered(): void {
    const health = this.#o.health;
    if (health?.get('journal')?.state !== 'degraded') return;
    health.set('journal', 'up', 'journalling again');
    this.#o.log.info({ notHeld: this.#dropped }, 'alert journal writable again; held alerts journalled and delivered');
    this.#dropped = 0;
  }
}
