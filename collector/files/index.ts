// The files source's door: what containers write to their overlay upper directories, the drift
// registry of paths written since start that the processes source consults at exec, and the
// exec-time check of an executable against a container's writable layer.
export { FileSource, type FileSourceOptions } from './file-source.ts';
export { DriftPaths } from './drift-paths.ts';
export { isInUpperLayer } from './upper-layer.ts';
export { mergedDirOf, resolveInRoot } from './container-path.ts';
