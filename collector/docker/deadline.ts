// A Docker API call with a deadline. The call gets an AbortSignal (dockerode passes it to the HTTP
// request, so the socket is given back), and the promise settles at the deadline even if the call
// ignores the signal: a daemon that accepts a request and never answers it must not hold up the
// events behind it.

export class DeadlineExceeded extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

export function withDeadline<T>(what: string, ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineExceeded(what, ms);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  let answer: Promise<T>;
  try {
    answer = call(controller.signal);
  } catch (error) {
    clearTimeout(timer);
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return Promise.race([answer, deadline]).finally(() => clearTimeout(timer));
}
