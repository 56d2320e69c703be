// The catalogue's result table (Markdown, so it pastes into an issue or a PR as is).
import type { TechniqueResult } from './run-catalogue.ts';

export function resultTable(results: readonly TechniqueResult[]): string {
  const rows = results.map((r) => {
    const exec = r.sinceExecMs === null ? '' : `, ${(r.sinceExecMs / 1000).toFixed(2)} s from docker exec`;
    const time = r.latencyMs === null ? 'missed' : `${(r.latencyMs / 1000).toFixed(2)} s${exec}`;
    const limit = `${r.technique.limitMs / 1000} s`;
    const ok = r.alert !== null && r.latencyMs !== null && r.latencyMs <= r.technique.limitMs;
    const twin = r.twinRules.length === 0 ? 'yes' : `NO (${r.twinRules.join(', ')})`;
    return [
      r.technique.technique,
      r.technique.rule,
      r.alert?.mitre?.technique ?? r.technique.mitre,
      r.container,
      `${time} (≤ ${limit})${ok ? '' : ' FAIL'}`,
      `${r.technique.twin}: ${twin}`,
    ];
  });
  const header = ['technique', 'rule', 'MITRE', 'container', 'time to alert', 'twin silent'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
