// One POST over node:http/https with the TLS settings a sink may need (a private CA, a client
// certificate, or, when the operator insists, no verification). fetch cannot take a CA without
// undici's dispatcher, which is not a dependency of ours. Resolves with the status and the start
// of the answer; rejects only on network errors, timeouts and aborts. postForResult reads that
// into the send result both HTTP sinks (webhook, Alertmanager) answer their queue with.
import http from 'node:http';
import https from 'node:https';
import { isRetryableStatus, parseRetryAfter } from './retry-policy.ts';
import { delivered, failed, retry, type SendResult } from './sink.ts';

export interface TlsMaterial {
  ca?: Buffer | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  rejectUnauthorized: boolean;
}

export interface PostAnswer {
  status: number;
  retryAfter: string | null;
  text: string;
}

export function postJson(
  url: string,
  body: string,
  options: { headers: Record<string, string>; timeout: number; signal: AbortSignal; tls: TlsMaterial | null },
): Promise<PostAnswer> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { ...options.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeout)]),
        ...(target.protocol === 'https:' && options.tls ? options.tls : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          // Only the start of an error answer is logged; the rest is read and dropped.
          if (size < 4096) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: response.headers['retry-after'] ?? null,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * One POST as a sink's send result: 2xx delivered; network errors, timeouts and the retryable
 * statuses (retry-policy.ts) retried, honouring Retry-After; any other answer is `other`'s to
 * judge (failed, unless the sink says otherwise).
 */
export async function postForResult(
  url: string,
  body: string,
  options: Parameters<typeof postJson>[2],
  other: (answer: PostAnswer) => SendResult = (answer) => failed(`HTTP ${answer.status}`),
): Promise<SendResult> {
  let answer: PostAnswer;
  try {
    answer = await postJson(url, body, options);
  } catch (error) {
    return retry(`request failed: ${String((error as Error).cause ?? error)}`);
  }
  if (answer.status >= 200 && answer.status < 300) return delivered;
  if (isRetryableStatus(answer.status)) return retry(`HTTP ${answer.status}`, parseRetryAfter(answer.retryAfter));
  return other(answer);
}
