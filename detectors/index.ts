// The detectors' only door: every detector the agent runs, the runner, and the types the agent
// and the API need.
import type { Detector } from './context.ts';
import { configDetector } from './rules/docker-config.ts';
import { escapeDetector } from './rules/escape.ts';
import { evasionDetector } from './rules/evasion.ts';
import { metadataDetector } from './rules/metadata.ts';
import { miningDetector } from './rules/mining.ts';
import { scanDetector } from './rules/scan.ts';
import { shellDetector } from './rules/shells.ts';
import { volumeDetector } from './rules/volume.ts';
import { execDetector } from './rules/exec.ts';
import { fileDetector } from './rules/files.ts';
import { networkDetector } from './rules/network.ts';
import { processDetector } from './rules/process.ts';
import { resourceDetector } from './rules/resource.ts';

export const DETECTORS: readonly Detector<unknown>[] = [
  networkDetector,
  processDetector,
  execDetector,
  fileDetector,
  resourceDetector,
  configDetector,
  volumeDetector,
  scanDetector,
  metadataDetector,
  miningDetector,
  shellDetector,
  escapeDetector,
  evasionDetector,
] as Detector<unknown>[];

export { DetectorRunner, type RunnerOptions } from './runner.ts';
export type { DetectorConfig, DetectorContext } from './context.ts';
export { baselineSchema, parseBaseline, type Phase, type WorkloadBaseline } from './baseline.ts';
export { mergeBaselines } from './baseline-merge.ts';
export { egressRules, type EgressRule } from './egress-allowlist.ts';
export type { Suppression, SuppressionStatus } from './suppressions.ts';
