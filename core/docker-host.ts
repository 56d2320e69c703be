// What makes a Docker host URL usable. Here rather than in collector/docker/ (which re-exports it)
// so the config schema can check the URL without loading dockerode: `shipwatch alerts` and
// `check-config` validate a config and never talk to Docker, and dockerode is the slowest import
// at start.
const SCHEMES = new Set(['unix:', 'tcp:', 'http:', 'https:']);

/** What is wrong with a Docker host URL, or null when the Docker client can use it. */
export function dockerHostProblem(dockerHost: string): string | null {
  if (dockerHost.startsWith('/')) return null;
  let url: URL;
  try {
    url = new URL(dockerHost);
  } catch {
    return `expected unix:///path or tcp://host:port, got "${dockerHost}"`;
  }
  return SCHEMES.has(url.protocol) ? null : `unsupported scheme "${url.protocol}" in "${dockerHost}"`;
}
