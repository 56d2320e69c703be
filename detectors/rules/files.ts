// File rules on file.changed (changes made after we started watching; `preexisting` ones found at
// attach are history, not news): sensitive_file_change below system and credential directories,
// always on; otherwise unexpected_file_change outside the workload's learned path prefixes.
import type { FileOp, ShipwatchEvent } from '../../collector/events.ts';
import { judging } from '../baseline.ts';
import type { Detector, DetectorContext, StepResult } from '../context.ts';
import { who } from '../describe.ts';
import type { Finding } from '../../findings/index.ts';
import type { ContainerRef } from '../../collector/events.ts';
import { coveredBy } from '../path-prefixes.ts';

/** DESIGN.md's list; /lib* covers /lib, /lib32, /lib64, /libx32. */
const SENSITIVE = ['/etc/', '/bin/', '/sbin/', '/usr/bin/', '/usr/sbin/', '/usr/local/bin/', '/root/.ssh/', '/boot/'];

export function isSensitive(path: string): boolean {
  return (
    SENSITIVE.some((dir) => path.startsWith(dir) || path === dir.slice(0, -1)) || /^\/lib(32|64|x32)?(\/|$)/.test(path)
  );
}

const VERB: Record<FileOp, string> = {
  create: 'created',
  write: 'wrote to',
  delete: 'deleted',
  rename: 'renamed',
  chmod: 'changed the permissions of',
};

function judge(container: ContainerRef, path: string, op: FileOp, ctx: DetectorContext, at: number): Finding[] {
  const base = { container, key: path, details: { file: { path, op } }, at };
  if (isSensitive(path)) {
    return [
      {
        ...base,
        rule: 'sensitive_file_change',
        summary: `${who(container)} ${VERB[op]} ${path}, inside a protected system directory`,
      },
    ];
  }
  const baseline = ctx.baseline(container.workload);
  if (judging(baseline, ctx.now) && !coveredBy(baseline.pathPrefixes, path)) {
    return [
      {
        ...base,
        rule: 'unexpected_file_change',
        summary: `${who(container)} ${VERB[op]} ${path}, outside the places it wrote during learning`,
      },
    ];
  }
  return [];
}

export const fileDetector: Detector<null> = {
  name: 'files',
  initialState: () => null,
  step(state: null, event: ShipwatchEvent, ctx: DetectorContext): StepResult<null> {
    switch (event.kind) {
      case 'file.changed':
        return {
          state,
          findings: event.preexisting ? [] : judge(event.container, event.path, event.op, ctx, event.at),
        };
      case 'flow.start':
      case 'flow.update':
      case 'flow.end':
      case 'dns.answer':
      case 'container.created':
      case 'container.started':
      case 'container.stopped':
      case 'container.removed':
      case 'container.paused':
      case 'container.unpaused':
      case 'network.connected':
      case 'network.disconnected':
      case 'network.created':
      case 'network.removed':
      case 'exec.started':
      case 'process.exec':
      case 'process.exit':
      case 'stats.sample':
      case 'daemon.posture':
        return { state, findings: [] };
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  },
};
