// Remote response over NATS request/reply: a responder (CLI `--host`, the hub) asks host H's
// agent to isolate or release a container on shipwatch.actions.<H>; H's agent runs it exactly as
// a local action (journal, audit alert, the caller's token name as actor) and answers. Who may
// send actions is the NATS server's business (permissions on shipwatch.actions.>, see
// docs/multi-host.md); the agent trusts what reaches it on its own subject.
import { z } from 'zod';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from '../core/logger.ts';
import { actionSubject } from './subjects.ts';

export const actionRequestSchema = z.strictObject({
  action: z.enum(['isolate', 'release']),
  container: z.string().min(1),
  reason: z.string().max(1000).nullable().default(null),
  pause: z.boolean().default(false),
  /** The responder's token name (and local user), recorded as the actor. */
  actor: z.string().min(1).max(400),
});
export type ActionRequest = z.output<typeof actionRequestSchema>;

export type ActionReply =
  | { ok: true; host: string; result: unknown }
  | { ok: false; host: string; status: number; code: string; message: string };

/** Default wait for a host's answer: an isolation is a few Docker calls. */
export const ACTION_TIMEOUT_MS = 10_000;

export class HostDidNotAnswerError extends Error {
  constructor(
    readonly host: string,
    why: string,
  ) {
    super(`host ${host} did not answer: ${why}`);
  }
}

export function serveActions(
  nc: NatsConnection,
  host: string,
  handle: (request: ActionRequest) => Promise<ActionReply>,
  log: Logger,
): Subscription {
  return nc.subscribe(actionSubject(host), {
    callback: (error, msg) => {
      if (error) return log.warn({ err: error }, 'fleet action subscription error');
      void (async () => {
        let reply: ActionReply;
        const parsed = actionRequestSchema.safeParse(
          (() => {
            try {
              return msg.json();
            } catch {
              return undefined;
            }
          })(),
        );
        if (!parsed.success) {
          reply = {
            ok: false,
            host,
            status: 400,
            code: 'bad_request',
            message: parsed.error.issues[0]?.message ?? 'bad request',
          };
        } else {
          log.info(
            { action: parsed.data.action, container: parsed.data.container, actor: parsed.data.actor },
            'fleet action received',
          );
          reply = await handle(parsed.data).catch((failure: unknown) => ({
            ok: false as const,
            host,
            status: 500,
            code: 'internal',
            message: String(failure),
          }));
        }
        msg.respond(JSON.stringify(reply));
      })();
    },
  });
}

/** Sends an action to a host's agent and waits for its answer; throws HostDidNotAnswerError. */
export async function requestAction(
  nc: NatsConnection,
  host: string,
  request: z.input<typeof actionRequestSchema>,
  timeoutMs = ACTION_TIMEOUT_MS,
): Promise<ActionReply> {
  try {
    const msg = await nc.request(actionSubject(host), JSON.stringify(actionRequestSchema.parse(request)), {
      timeout: timeoutMs,
    });
    return msg.json<ActionReply>();
  } catch (error) {
    const text = String((error as Error).cause ?? error);
    if (/no responders|503/i.test(`${String(error)} ${text}`))
      throw new HostDidNotAnswerError(host, 'no agent of that host is connected to the fleet bus');
    if (/timeout/i.test(`${String(error)} ${text}`))
      throw new HostDidNotAnswerError(host, `no answer within ${Math.round(timeoutMs / 1000)} s`);
    throw new HostDidNotAnswerError(host, text);
  }
}
