import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertYamlDepth, MAX_YAML_DEPTH, YamlTooDeepError } from '../../../agent/yaml-depth.ts';
import { readConfigFile } from '../../../agent/config.ts';
import { fromYaml, toYaml } from '../../../agent/baseline-store.ts';
import { newBaseline } from '../../../detectors/baseline.ts';

const root = path.resolve(import.meta.dirname, '../../..');

describe('assertYamlDepth', () => {
  it('lets through every YAML file of the project and an exported baseline', () => {
    for (const file of [
      'deploy/compose.yaml',
      'deploy/prometheus.yml',
      'deploy/prometheus/shipwatch-rules.yml',
      'deploy/prometheus/shipwatch-rules.test.yml',
      'deploy/grafana/provisioning.yaml',
    ])
      expect(() => assertYamlDepth(readFileSync(path.join(root, file), 'utf8')), file).not.toThrow();
    expect(() => assertYamlDepth(toYaml([newBaseline('shop/api', 0, 600_000)]))).not.toThrow();
  });

  it('refuses deep flow, block and dash nesting, naming the line', () => {
    const over = MAX_YAML_DEPTH + 1;
    expect(() => assertYamlDepth(`a: ${'['.repeat(over)}${']'.repeat(over)}`)).toThrow(YamlTooDeepError);
    expect(() => assertYamlDepth(`a: ${'{b: '.repeat(over)}1${'}'.repeat(over)}`)).toThrow(/line 1/);
    expect(() => assertYamlDepth(`${'- '.repeat(over)}x`)).toThrow(YamlTooDeepError);
    const block = Array.from({ length: over }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    expect(() => assertYamlDepth(block)).toThrow(new RegExp(`line ${over}`));
    // Exactly at the limit is fine.
    const at = MAX_YAML_DEPTH - 1;
    expect(() => assertYamlDepth(`a: ${'['.repeat(at)}${']'.repeat(at)}`)).not.toThrow();
  });

  it('does not count brackets in quotes or comments, and is not fooled by an apostrophe in a plain scalar', () => {
    const many = '['.repeat(200);
    expect(() => assertYamlDepth(`a: "${many}"\nb: '${many}'\nc: 1 # ${many}\n`)).not.toThrow();
    expect(() => assertYamlDepth(`reason: it's fine\nlist: [x]\n`)).not.toThrow();
    expect(() => assertYamlDepth(`a: [it's, ${'['.repeat(100)}${']'.repeat(100)}]`)).toThrow(YamlTooDeepError);
  });

  it('keeps a deep config from ending the process, from any call-stack depth', () => {
    // Before the check, parsing this from one of these stack depths ended node with "FATAL ERROR:
    // RegExpCompiler Allocation failed" (a stack overflow inside V8's regexp compiler), taking
    // the test worker with it. Now every depth gets the same clear error.
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sw-yaml-depth-')), 'deep.yaml');
    writeFileSync(file, `a: ${'['.repeat(5000)}${']'.repeat(5000)}`);
    const messages = new Set<string>();
    const at = (depth: number): void => {
      if (depth > 0) return at(depth - 1);
      try {
        readConfigFile(file);
      } catch (error) {
        messages.add((error as Error).message.replace(file, 'FILE'));
      }
    };
    for (let depth = 0; depth < 600; depth += 3) at(depth);
    expect([...messages]).toEqual([
      `FILE: not valid YAML: nested deeper than ${MAX_YAML_DEPTH} levels (line 1); refused before parsing`,
    ]);
    expect(() => fromYaml(`workload: ${'['.repeat(5000)}`)).toThrow(/nested deeper/);
  });
});
