// The quarantine network: an internal bridge (no route out of the host) with inter-container
// communication disabled, so two quarantined containers cannot reach each other either.
import type Docker from 'dockerode';

export const QUARANTINE_NETWORK = 'shipwatch-quarantine';
export const QUARANTINE_LABEL = 'shipwatch.quarantine';

/** Creates the quarantine network unless it exists; returns its id. */
export async function ensureQuarantineNetwork(docker: Docker, name = QUARANTINE_NETWORK): Promise<string> {
  const existing = await docker.listNetworks({ filters: { name: [name] } });
  const exact = existing.find((n) => n.Name === name);
  if (exact) return exact.Id;
  try {
    const created = await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      Internal: true,
      CheckDuplicate: true,
      Labels: { [QUARANTINE_LABEL]: 'true', 'shipwatch.zone': 'quarantine' },
      Options: { 'com.docker.network.bridge.enable_icc': 'false' },
    });
    return created.id;
  } catch (error) {
    // Two isolations racing to create it: the loser finds the winner's.
    const again = (await docker.listNetworks({ filters: { name: [name] } })).find((n) => n.Name === name);
    if (again) return again.Id;
    throw error;
  }
}
