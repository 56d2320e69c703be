// Which exec starts a `docker exec` session. runc runs an exec as `runc init` (stage 0), which
// joins the container's cgroup, clones the real process and exits; the real process then execs
// the command. Read at once on the proc thread, `runc init` is seen sometimes before and sometimes
// after its cgroup join, so its cgroup cannot tell; the lineage can: the first exec of a process
// descending from `runc init` is the command runc was asked to run.
import type { ContainerInfo } from '../inventory-types.ts';

export interface ExecRootFacts {
  info: ContainerInfo | undefined;
  tgid: number;
  /** The process descends from `runc init` and has not exec'd since. */
  fromRuncInit: boolean;
  containerId: string;
  /** The parent's container as known or read (null: the host). */
  parentContainer: string | null | undefined;
}

/** True for the root of a `docker exec` (never the init of a running container). */
export function isExecRoot(f: ExecRootFacts): boolean {
  // While a container is starting its pid is still 0 in the inventory: that is the entrypoint.
  if (f.info === undefined || f.info.state !== 'running' || f.info.pid <= 0 || f.info.pid === f.tgid) return false;
  // A parent outside the container (runc, containerd-shim, or runc's intermediate already gone).
  return f.fromRuncInit || f.parentContainer !== f.containerId;
}
