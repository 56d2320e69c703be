// The files source's door: what containers write to their overlay upper directories, and the
// drift registry of paths written since start that the processes source consults at exec.
export { FileSource, type FileSourceOptions } from './file-source.ts';
export { DriftPaths } from './drift-paths.ts';
