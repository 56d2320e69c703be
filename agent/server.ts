// The HTTP server: a small router over node:http (routes register themselves from the parts
// that own them), JSON errors with status codes, bearer-token auth for mutating routes, body size
// limits, optional TLS, and WebSocket upgrades handed to whoever registered the path.
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../core/logger.ts';
import { ShipwatchError } from '../core/errors.ts';
import { HttpError, badRequest } from '../core/http-errors.ts';
import type { Tokens } from './tokens.ts';
import { AuthThrottle } from './auth-throttle.ts';
import { requestUrl } from './request-url.ts';
import { readJsonBody } from './request-body.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when there was none). */
  body: unknown;
  /** Name of the token used, for mutating routes; "anonymous" when no token is configured. */
  actor: string;
  raw: IncomingMessage;
}

export interface Reply {
  status?: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Route {
  method: Method;
  /** Path with :params, e.g. /api/containers/:id/isolate. */
  path: string;
  mutating?: boolean;
  handler: (ctx: RequestContext) => Reply | Promise<Reply>;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, actor: string | null) => void;

export interface ServerOptions {
  listen: string;
  tokens: Tokens;
  tls: { cert: string; key: string } | null;
  log: Logger;
  maxBodyBytes?: number;
  /**
   * Reads need the token too (alerts, containers and baselines carry command lines and variable
   * names) — on a non-loopback listen address only; /healthz stays open for probes.
   */
  requireTokenForReads?: boolean;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

export function splitHostPort(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  return { host: listen.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(listen.slice(colon + 1)) };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Throws SW_INSECURE_LISTEN (exit 2) for a non-loopback address without a token. */
export function assertListenAllowed(listen: string, tokens: Tokens): void {
  if (isLoopback(splitHostPort(listen).host) || tokens.configured) return;
  throw new ShipwatchError(
    'SW_INSECURE_LISTEN',
    `listen ${listen}: not a loopback address and no token_file given; add --token-file or listen on 127.0.0.1`,
  );
}

/** A path parameter, percent-decoded; a broken escape (`%E0%A4%A`) is the client's mistake: 400, not 500. */
function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(`path segment "${raw.slice(0, 100)}" is not valid percent-encoding`);
  }
}

export class HttpServer {
  readonly #o: ServerOptions;
  readonly #routes: CompiledRoute[] = [];
  readonly #upgrades = new Map<string, UpgradeHandler>();
  readonly #server: http.Server;
  readonly #throttle = new AuthThrottle();
  readonly #readAuth: boolean;
  #address: { host: string; port: number } | null = null;

  constructor(options: ServerOptions) {
    this.#o = options;
    assertListenAllowed(options.listen, options.tokens);
    this.#readAuth = options.requireTokenForReads === true && !isLoopback(splitHostPort(options.listen).host);
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.#serve(req, res);
    this.#server = options.tls
      ? https.createServer({ cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) }, handler)
      : http.createServer(handler);
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(req, socket, head),
    );
  }

  route(route: Route): void {
    const names: string[] = [];
    const source = route.path.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.#routes.push({ ...route, pattern: new RegExp(`^${source}$`), names });
  }

  /** What is registered: every route, and each upgrade endpoint as GET (for the OpenAPI test). */
  registered(): { method: Method; path: string; mutating: boolean }[] {
    return [
      ...this.#routes.map((r) => ({ method: r.method, path: r.path, mutating: r.mutating === true })),
      ...[...this.#upgrades.keys()].map((path) => ({ method: 'GET' as const, path, mutating: false })),
    ];
  }

  /** WebSocket (or other upgrade) endpoint; auth follows the mutating-route rule when `authenticated`. */
  upgrade(path: string, handler: UpgradeHandler): void {
    this.#upgrades.set(path, handler);
  }

  async listen(): Promise<{ host: string; port: number }> {
    const { host, port } = splitHostPort(this.#o.listen);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) =>
        reject(new ShipwatchError('SW_LISTEN_FAILED', `listen ${this.#o.listen}: ${error.message}`, { cause: error }));
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    const address = this.#server.address();
    this.#address = typeof address === 'object' && address ? { host, port: address.port } : { host, port };
    return this.#address;
  }

  get address(): { host: string; port: number } | null {
    return this.#address;
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** 'anonymous' without tokens; the actor's name when a token matched; throws 401, or 429 after repeated failures. */
  #authenticate(req: IncomingMessage, queryToken: string | null = null): string {
    if (!this.#o.tokens.configured) return 'anonymous';
    const client = req.socket.remoteAddress ?? 'unknown';
    const wait = this.#throttle.retryAfter(client);
    if (wait > 0) {
      throw new HttpError(
        429,
        'too_many_attempts',
        `too many failed token attempts; retry in ${Math.ceil(wait / 1000)} s`,
        {
          'retry-after': String(Math.ceil(wait / 1000)),
        },
      );
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const given = match?.[1] ?? queryToken;
    const actor = given ? this.#o.tokens.identify(given) : null;
    if (!actor) {
      // A request without any token is no guess: only wrong tokens count towards the lock-out.
      if (given) this.#throttle.failed(client);
      throw new HttpError(401, 'unauthorized', given ? 'invalid token' : 'missing bearer token');
    }
    this.#throttle.succeeded(client);
    return actor;
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req.url);
    if (!url) {
      this.#send(res, 400, { json: { error: { code: 'bad_request', message: 'malformed request target' } } });
      return;
    }
    try {
      const candidates = this.#routes.filter((r) => r.pattern.test(url.pathname));
      if (candidates.length === 0) {
        // A WebSocket endpoint opened as a plain request (curl, a health probe): say what it needs.
        if (this.#upgrades.has(url.pathname)) {
          res.setHeader('upgrade', 'websocket');
          throw new HttpError(426, 'upgrade_required', `${url.pathname} is a WebSocket endpoint`);
        }
        throw new HttpError(404, 'not_found', `no route ${url.pathname}`);
      }
      const route = candidates.find((r) => r.method === req.method);
      if (!route) {
        res.setHeader('allow', [...new Set(candidates.map((r) => r.method))].join(', '));
        throw new HttpError(405, 'method_not_allowed', `${req.method} not allowed on ${url.pathname}`);
      }
      const needsToken = route.mutating === true || (this.#readAuth && route.path !== '/healthz');
      const actor = needsToken ? this.#authenticate(req) : 'anonymous';
      const match = route.pattern.exec(url.pathname);
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeParam(match?.[i + 1] ?? '')));
      const body = req.method === 'GET' ? undefined : await readJsonBody(req, this.#o.maxBodyBytes ?? 1024 * 1024);
      const reply = await route.handler({ params, query: url.searchParams, body, actor, raw: req });
      this.#send(res, reply.status ?? 200, reply);
    } catch (error) {
      if (error instanceof HttpError) {
        const json = { error: { code: error.code, message: error.message } };
        this.#send(res, error.status, { json, ...(error.headers ? { headers: error.headers } : {}) });
        return;
      }
      this.#o.log.error({ err: error, path: url.pathname }, 'request failed');
      this.#send(res, 500, { json: { error: { code: 'internal', message: 'internal error' } } });
    }
  }

  #send(res: ServerResponse, status: number, reply: Reply): void {
    if (res.headersSent) return;
    // nosniff: a JSON answer holding a crafted container name is never run as HTML or script.
    const headers = { 'x-content-type-options': 'nosniff', ...reply.headers };
    if (reply.text !== undefined) {
      res.writeHead(status, { ...headers, 'content-type': reply.contentType ?? 'text/plain; charset=utf-8' });
      res.end(reply.text);
      return;
    }
    res.writeHead(status, { ...headers, 'content-type': reply.contentType ?? 'application/json; charset=utf-8' });
    res.end(JSON.stringify(reply.json ?? null));
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = requestUrl(req.url);
    if (!url) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      return;
    }
    const handler = this.#upgrades.get(url.pathname);
    if (!handler) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    let actor: string;
    try {
      // Browsers cannot set headers on a WebSocket: the token may come as ?token= instead.
      actor = this.#authenticate(req, url.searchParams.get('token'));
    } catch (error) {
      const status = error instanceof HttpError && error.status === 429 ? '429 Too Many Requests' : '401 Unauthorized';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\n\r\n`);
      return;
    }
    handler(req, socket, head, actor);
  }
}
