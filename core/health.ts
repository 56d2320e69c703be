// The state of each source (docker, capture per interface, processes, files), as /healthz shows
// it. Sources report; nothing here decides.

export type SourceState = 'starting' | 'up' | 'degraded' | 'down' | 'disabled';

export interface SourceHealth {
  state: SourceState;
  detail: string | null;
  since: string;
}

export class Health {
  readonly #sources = new Map<string, SourceHealth>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  set(source: string, state: SourceState, detail: string | null = null): void {
    const previous = this.#sources.get(source);
    if (previous && previous.state === state && previous.detail === detail) return;
    const since = previous?.state === state ? previous.since : new Date(this.#now()).toISOString();
    this.#sources.set(source, { state, detail, since });
  }

  remove(source: string): void {
    this.#sources.delete(source);
  }

  get(source: string): SourceHealth | undefined {
    return this.#sources.get(source);
  }

  /** "ok" when every enabled source is up, else "degraded". */
  snapshot(): { status: 'ok' | 'degraded'; sources: Record<string, SourceHealth> } {
    const sources = Object.fromEntries([...this.#sources].sort(([a], [b]) => a.localeCompare(b)));
    const ok = [...this.#sources.values()].every((s) => s.state === 'up' || s.state === 'disabled');
    return { status: ok ? 'ok' : 'degraded', sources };
  }
}
