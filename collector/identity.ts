// Workload and zone identity, as DESIGN.md defines them. Baselines are per workload, never per
// container id: containers are ephemeral, workloads are not.
import { printable } from '../core/printable.ts';

/** Image reference without tag or digest: "registry:5000/shop/api:1.4@sha256:…" → "registry:5000/shop/api". */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  return lastColon > lastSlash ? withoutDigest.slice(0, lastColon) : withoutDigest;
}

/** Longest workload name kept: it is a metric label, an Alertmanager label and a file name. */
const MAX_WORKLOAD = 200;

/**
 * Label shipwatch.workload, else Compose project/service, else the image repository. Labels are
 * whatever the container's creator wrote: made printable and bounded here, once, for every use.
 */
export function workloadOf(labels: Record<string, string>, image: string): string {
  const explicit = labels['shipwatch.workload'];
  if (explicit) return printable(explicit, MAX_WORKLOAD);
  const project = labels['com.docker.compose.project'];
  const service = labels['com.docker.compose.service'];
  if (project && service) return printable(`${project}/${service}`, MAX_WORKLOAD);
  return imageRepository(image);
}

/** Label shipwatch.zone on the network, else the configured mapping, else the network is its own zone. */
export function zoneOf(
  networkName: string,
  labels: Record<string, string>,
  mapping: Readonly<Record<string, string>>,
): string {
  return labels['shipwatch.zone'] ?? mapping[networkName] ?? networkName;
}

// Names that look like secrets (values are never read into the inventory).
const SECRET_NAME = /(PASSWORD|PASSWD|TOKEN|SECRET|API_?KEY|PRIVATE_?KEY|CREDENTIALS?|ACCESS_?KEY)$/i;

export function isSecretLookingName(name: string): boolean {
  return SECRET_NAME.test(name) || name === 'AWS_SECRET_ACCESS_KEY';
}
