// Prints package-lock.json with a `resolved` tarball URL for every registry package, built from
// the configured registry (argv[2]). The committed lock file has none (npm is set to omit them
// here), so an offline `npm ci` would have to ask the registry for each package's metadata; with
// them it installs straight from npm's local cache, keyed by each package's integrity hash.
import { readFileSync } from 'node:fs';

const registry = process.argv[2].replace(/\/?$/, '/');
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
for (const [path, meta] of Object.entries(lock.packages ?? {})) {
  if (!path || meta.resolved || meta.link || !meta.version) continue;
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  meta.resolved = `${registry}${name}/-/${name.split('/').pop()}-${meta.version}.tgz`;
}
process.stdout.write(`${JSON.stringify(lock, null, 2)}\n`);
