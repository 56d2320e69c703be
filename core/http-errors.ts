// An HTTP failure as a value: status plus a stable code, rendered as a JSON error body.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (Retry-After of a 429). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', what);
export const badRequest = (why: string) => new HttpError(400, 'bad_request', why);
