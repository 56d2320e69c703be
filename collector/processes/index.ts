// The processes source's door: exec and exit of container processes from the proc connector, or
// from polling where it is unavailable.
export { ProcessSource, type ProcessSourceOptions } from './process-source.ts';
