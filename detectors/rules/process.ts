// Process rules on process.exec, most specific first so one exec raises one alert:
// drift_executable (the file was written inside the container after it started: critical),
// then suspicious_process (always on, even while learning), then unexpected_process (outside the
// workload's learned executables). Drift needs the container's own writes, tracked from
// file.changed events; the set is bounded per container and dropped when the container goes.
import type { ContainerRef, ProcessInfo, ShipwatchEvent } from '../../collector/events.ts';
import { BoundedMap } from '../../core/bounded-map.ts';
import { judging, phaseOf, type WorkloadBaseline } from '../baseline.ts';
import type { Detector, DetectorContext, StepResult } from '../context.ts';
import { processDetails, quoted, who } from '../describe.ts';
import type { Finding } from '../../findings/index.ts';
import { remember, takeExecsOf, type RecentExecs } from '../recent-execs.ts';
import { classify, commandName, isInitChild, isShell, programName } from '../process-classify.ts';

/** Written paths remembered per container; past this the oldest are forgotten (logged as a limit in the README). */
export const MAX_WRITTEN_PATHS = 4096;

export interface ProcessState {
  written: Map<string, BoundedMap<string, true>>;
  /** Execs that were not drift when they ran, in case their file's write is reported late. */
  recent: RecentExecs;
}

function track(state: ProcessState, containerId: string, path: string, op: string): void {
  let paths = state.written.get(containerId);
  if (op === 'delete') {
    paths?.delete(path);
    return;
  }
  // Most recently written last; past the bound the path written longest ago goes (a Set's
  // delete-the-first walked the holes its deletes leave, ~1 µs a write once full).
  if (!paths) state.written.set(containerId, (paths = new BoundedMap<string, true>(MAX_WRITTEN_PATHS)));
  paths.set(path, true);
}

function shellExpected(p: ProcessInfo, baseline: WorkloadBaseline | null, ctx: DetectorContext): boolean {
  if (p.execId !== null || !isInitChild(p)) return false;
  if (!baseline || phaseOf(baseline, ctx.now) === 'learning' || baseline.mode === 'policy') return true;
  return baseline.entrypointShells.includes(programName(p));
}

function driftFinding(container: ContainerRef, p: ProcessInfo, at: number): Finding {
  return {
    container,
    details: processDetails(p),
    at,
    rule: 'drift_executable',
    key: p.exe,
    summary: `${who(container)} executed ${p.exe}, a file written inside the container after it started (${quoted(p.argv)})`,
  };
}

function judge(
  state: ProcessState,
  container: ContainerRef,
  p: ProcessInfo,
  ctx: DetectorContext,
  at: number,
): Finding[] {
  const base = { container, details: processDetails(p), at };
  const name = commandName(p);
  // The collector marks drift itself when it saw the write before the exec (its raw inotify event
  // beats the debounced file.changed); the detector's own record covers replays and fixtures.
  if (p.drift === true || state.written.get(container.id)?.has(p.exe)) return [driftFinding(container, p, at)];
  if (p.exe) remember(state.recent, { container, process: p, at });
  const suspicion = classify(p);
  if (suspicion) {
    return [
      {
        ...base,
        rule: 'suspicious_process',
        key: `${suspicion.kind}:${name}`,
        summary: `${who(container)} ran ${suspicion.why}: ${quoted(p.argv)}`,
      },
    ];
  }
  const baseline = ctx.baseline(container.workload);
  // Docker runs a CMD-SHELL healthcheck as `/bin/sh -c …` through exec: the daemon's, not a person's.
  if (isShell(p) && p.healthcheck !== true && !shellExpected(p, baseline, ctx)) {
    const how =
      p.execId !== null
        ? 'through docker exec (interactive shell)'
        : isInitChild(p)
          ? 'as its entrypoint, which it did not do during learning'
          : `spawned by ${p.parentExe ?? 'an unknown parent'}`;
    return [
      {
        ...base,
        rule: 'suspicious_process',
        key: `shell:${name}`,
        summary: `${who(container)} started the shell ${name} ${how}: ${quoted(p.argv)}`,
      },
    ];
  }
  // A process gone before /proc could be read has no executable to compare (collector marks it
  // complete: false); calling "" unexpected would be noise. Its argv, when known, was judged above.
  const program = programName(p);
  if (program !== '' && judging(baseline, ctx.now) && !baseline.executables.includes(program)) {
    return [
      {
        ...base,
        rule: 'unexpected_process',
        key: programName(p),
        summary: `${who(container)} ran ${programName(p)}, which it never ran during learning: ${quoted(p.argv)}`,
      },
    ];
  }
  return [];
}

export const processDetector: Detector<ProcessState> = {
  name: 'process',
  initialState: () => ({ written: new Map(), recent: new Map() }),
  step(state: ProcessState, event: ShipwatchEvent, ctx: DetectorContext): StepResult<ProcessState> {
    switch (event.kind) {
      case 'process.exec':
        return { state, findings: judge(state, event.container, event.process, ctx, event.at) };
      case 'file.changed': {
        track(state, event.container.id, event.path, event.op);
        if (event.op === 'delete') return { state, findings: [] };
        // The write was reported after the exec of the same file: still drift.
        const late = takeExecsOf(state.recent, event.container.id, event.path, event.at);
        return { state, findings: late.map((e) => driftFinding(e.container, e.process, e.at)) };
      }
      case 'container.removed':
        state.written.delete(event.container.id);
        state.recent.delete(event.container.id);
        return { state, findings: [] };
      case 'flow.start':
      case 'flow.update':
      case 'flow.end':
      case 'dns.answer':
      case 'container.created':
      case 'container.started':
      case 'container.stopped':
      case 'container.paused':
      case 'container.unpaused':
      case 'network.connected':
      case 'network.disconnected':
      case 'network.created':
      case 'network.removed':
      case 'exec.started':
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
