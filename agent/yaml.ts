// The YAML library, loaded when a YAML text is first read or written (a config file, a baseline
// export or import), not at start: about 70 modules that an agent started with flags and
// variables only, and `run --pcap`, never use. Synchronous (`require` of its CommonJS build)
// because its callers are: config loading and the baseline codec.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

const require = createRequire(import.meta.url);

export function yaml(): typeof Yaml {
  return require('yaml') as typeof Yaml;
}
