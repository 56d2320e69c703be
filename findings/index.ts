// The vocabulary detectors produce and alerts and response consume: what a finding is, and the
// catalogue of rule ids with their severities, MITRE mapping and the file that holds each rule.
export * from './catalogue.ts';
export type * from './finding.ts';
