// A real HTTP webhook receiver on 127.0.0.1 whose behaviour a test scripts per request: answer
// with a status, or hold the request unanswered. It records what it accepted (answered 2xx) with
// whether the HMAC signature was valid.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour = { status: number; headers?: Record<string, string> } | 'hold';

export interface Received {
  id: string;
  body: string;
  signatureValid: boolean;
  delivery: string | undefined;
  headers: IncomingHttpHeaders;
}

export class WebhookReceiver {
  readonly accepted: Received[] = [];
  readonly requests: Received[] = [];
  /** Requests held open by 'hold', in arrival order. */
  readonly held: IncomingMessage[] = [];
  #server: http.Server | null = null;
  #behave: (n: number) => Behaviour = () => ({ status: 200 });

  constructor(
    readonly port: number,
    readonly secret: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** How to answer request n (0-based, counted since this call). */
  behave(behave: (n: number) => Behaviour): void {
    this.requests.length = 0;
    this.#behave = behave;
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    const expected = Buffer.from(`sha256=${createHmac('sha256', this.secret).update(body).digest('hex')}`);
    const given = Buffer.from(String(req.headers['x-shipwatch-signature'] ?? ''));
    const received: Received = {
      id: (JSON.parse(body) as { id: string }).id,
      body,
      signatureValid: given.length === expected.length && timingSafeEqual(given, expected),
      delivery: req.headers['x-shipwatch-delivery'] as string | undefined,
      headers: req.headers,
    };
    const behaviour = this.#behave(this.requests.length);
    this.requests.push(received);
    if (behaviour === 'hold') {
      this.held.push(req);
      return;
    }
    res.writeHead(behaviour.status, behaviour.headers).end();
    if (behaviour.status >= 200 && behaviour.status < 300) this.accepted.push(received);
  }
}

/** A port that was free a moment ago (listen on 0, close). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
