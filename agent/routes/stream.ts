// GET /api/stream, the live stream as a WebSocket. The server authenticates the upgrade (a browser
// cannot set headers, so ?token= works too) and hands it to the alert side's LiveStream. The route
// is here, not in alerts/, because alerts/ must not depend on agent/ (DESIGN.md, Layout).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LiveStream } from '../../alerts/stream.ts';
import type { HttpServer } from '../server.ts';

export function registerStreamRoutes(server: HttpServer, stream: LiveStream): void {
  server.upgrade('/api/stream', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    stream.handleUpgrade(req, socket, head),
  );
}
