// The HTTP server's reading of a request's JSON body (server.ts), bounded in size.
import type { IncomingMessage } from 'node:http';
import { HttpError, badRequest } from '../core/http-errors.ts';

/** How much of a refused body is still read (and dropped) so the client can read the 413. */
const DISCARD_FACTOR = 8;

/** The body parsed as JSON, undefined when empty; a 413 over `limit` bytes, a 400 when not JSON. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw refuse(req, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const take = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', take);
      reject(refuse(req, limit));
    };
    req.on('data', take);
    req.once('end', resolve);
    req.once('error', reject);
    req.once('close', () => reject(new Error('the request closed before its body ended')));
  });
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw badRequest('body is not valid JSON');
  }
}

/**
 * A 413, with the rest of the body read and dropped meanwhile, so the client finishes sending and
 * reads the answer. Destroying the socket at once reset it under a client still uploading, which
 * then saw a failed request, not the 413 (test/integration/api-fuzz.test.ts, a 2 MB body); so does
 * `Connection: close`, which Node carries out as soon as the answer is written. Past
 * DISCARD_FACTOR times the limit the socket is cut anyway.
 */
function refuse(req: IncomingMessage, limit: number): HttpError {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_FACTOR * limit) req.destroy();
  });
  req.resume();
  return new HttpError(413, 'payload_too_large', `body over ${limit} bytes`);
}
