// The live stream, GET /api/stream (WebSocket): `{ "type": "alert", "alert": {…} }` for every
// journalled alert, plus inventory and flow updates from whoever calls `broadcast()`. A client
// that does not keep up is closed with a reason once its unsent backlog passes a limit, so a
// stuck browser tab costs a bounded amount of memory, never an unbounded one.
// It takes upgrades handed to it (`handleUpgrade`) instead of registering itself on the agent's
// HTTP server: alerts/ must not depend on agent/, and the route lives in agent/routes/stream.ts.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../core/logger.ts';
import type { ShipwatchEvent } from '../collector/events.ts';

export interface LiveStreamOptions {
  log: Logger;
  /** Unsent bytes a client may have queued before it is dropped. */
  maxBufferedBytes?: number;
}

// 1013 "Try Again Later" (RFC 6455 registry): the server is fine, the client fell behind.
export const SLOW_CONSUMER_CODE = 1013;

export class LiveStream {
  /**
   * Made at the first stream client: `ws` is imported then, not at start, so `run --pcap` and an
   * agent nobody streams from never load it.
   */
  #wss: Promise<WebSocketServer> | null = null;
  /** The server once made, for the synchronous paths (broadcast, clients). */
  #ready: WebSocketServer | null = null;
  #closed = false;
  readonly #log: Logger;
  readonly #maxBuffered: number;

  constructor(options: LiveStreamOptions) {
    this.#log = options.log;
    this.#maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  }

  /** Clients being served (a client being closed no longer counts). */
  get clients(): number {
    let open = 0;
    for (const ws of this.#ready?.clients ?? []) if (ws.readyState === ws.OPEN) open++;
    return open;
  }

  /** Takes over an upgrade request as a stream client; the caller has already authenticated it. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#server().then(
      (wss) => {
        // Closed while `ws` was loading: ws's handleUpgrade would serve a stopped server.
        if (this.#closed) return void socket.destroy();
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      },
      (error: unknown) => {
        this.#log.error({ err: error }, 'live stream unavailable');
        socket.destroy();
      },
    );
  }

  #server(): Promise<WebSocketServer> {
    this.#wss ??= import('ws').then(({ WebSocketServer }) => {
      const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
      wss.on('connection', (ws: WebSocket) => {
        ws.on('error', (error) => this.#log.debug({ err: error }, 'stream client error'));
        // The stream is one-way; a client's messages are ignored.
      });
      this.#ready = wss;
      return wss;
    });
    return this.#wss;
  }

  /** Sends `{ type, ...payload }` to every client, e.g. broadcast('alert', { alert }). */
  broadcast(type: string, payload: Record<string, unknown>): void {
    const clients = this.#ready?.clients;
    if (!clients || clients.size === 0) return;
    const message = JSON.stringify({ type, ...payload });
    for (const ws of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount + message.length > this.#maxBuffered) {
        this.#log.warn({ buffered: ws.bufferedAmount }, 'dropping slow stream client');
        // Nothing more is queued for it from here on. The close frame waits behind its backlog, so a
        // client that reads again learns why; one that never does is cut off by ws's close timeout.
        ws.close(SLOW_CONSUMER_CODE, 'slow consumer: too many unsent messages');
        continue;
      }
      ws.send(message);
    }
  }

  /** Inventory and flow updates for live pages; everything else stays off the stream. */
  onEvent(event: ShipwatchEvent): void {
    // Before the copy below: with no page open (most of the time) every flow event paid for it.
    if (!this.#ready || this.#ready.clients.size === 0) return;
    if (event.kind === 'flow.start' || event.kind === 'flow.update' || event.kind === 'flow.end') {
      // A flow's first payload bytes may hold a request line or a credential: detectors only.
      const { firstPayload: _payload, ...flow } = event.flow;
      this.broadcast('flow', { event: { ...event, flow } });
    } else if (event.kind.startsWith('container.') || event.kind.startsWith('network.')) {
      this.broadcast('inventory', { event });
    }
  }

  close(): void {
    this.#closed = true;
    if (!this.#ready) return;
    for (const ws of this.#ready.clients) ws.close(1001, 'shipwatch shutting down');
    this.#ready.close();
  }
}
