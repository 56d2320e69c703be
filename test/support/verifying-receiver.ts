// A real HTTP receiver on 127.0.0.1 that judges each request with a check, the way a SOC's
// endpoint would: 204 when the check passes, 400 with the reasons when it does not. Tests send to
// it with the real transports and read back what it accepted and why it refused the rest.
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Problems with one request; empty when it is acceptable. */
export type RequestCheck = (headers: IncomingHttpHeaders, body: string) => string[];

export interface Judged {
  headers: IncomingHttpHeaders;
  body: string;
  problems: string[];
}

export class VerifyingReceiver {
  readonly judged: Judged[] = [];
  #server: http.Server | null = null;

  constructor(readonly check: RequestCheck) {}

  async start(): Promise<string> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let problems: string[];
        try {
          problems = this.check(req.headers, body);
        } catch (error) {
          problems = [`check threw: ${String(error)}`];
        }
        this.judged.push({ headers: req.headers, body, problems });
        if (problems.length) res.writeHead(400, { 'content-type': 'text/plain' }).end(problems.join('\n'));
        else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
