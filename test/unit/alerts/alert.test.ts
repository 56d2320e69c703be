import { describe, expect, it } from 'vitest';
import { AlertFactory, meetsSeverity } from '../../../alerts/alert.ts';
import { egressFinding, API_CONTAINER } from '../../support/findings.ts';

const T0 = Date.parse('2026-11-23T04:00:00.123Z');

function factory(options: Partial<ConstructorParameters<typeof AlertFactory>[0]> = {}) {
  let clock = T0;
  let ids = 0;
  const f = new AlertFactory({
    host: 'docker-host-1',
    dedupWindow: 60_000,
    now: () => clock,
    newId: () => `id-${++ids}`,
    ...options,
  });
  return { f, advance: (ms: number) => (clock += ms) };
}

describe('AlertFactory', () => {
  it('builds the version-1 alert JSON of DESIGN.md from a finding', () => {
    const { f } = factory();
    const raised = f.raise(egressFinding());
    expect(raised?.kind).toBe('new');
    expect(raised?.alert).toEqual({
      id: 'id-1',
      version: 1,
      time: '2026-11-23T04:00:00.123Z',
      rule: 'unexpected_egress',
      severity: 'high',
      summary: 'api (shop/api) connected to 203.0.113.10:4444/tcp, never seen during learning',
      host: 'docker-host-1',
      container: API_CONTAINER,
      details: {
        flow: {
          protocol: 'tcp',
          src: { ip: '198.18.64.3', port: 41234 },
          dst: { ip: '203.0.113.10', port: 4444, name: null },
          network: 'shop_backend',
          bytes: 0,
          packets: 1,
        },
      },
      mitre: { tactic: 'exfiltration', technique: 'T1041' },
      tags: ['network'],
      count: 1,
      // The pipeline correlates it into an incident before the journal (incident-tracker.ts).
      incident: null,
      firstSeen: '2026-11-23T04:00:00.123Z',
      lastSeen: '2026-11-23T04:00:00.123Z',
    });
  });

  it('gives every new alert a random 128-bit hex id by default', () => {
    const f = new AlertFactory({ host: 'h', dedupWindow: 0 });
    const a = f.raise(egressFinding(1));
    const b = f.raise(egressFinding(2));
    expect(a?.alert.id).toMatch(/^[0-9a-f]{32}$/);
    expect(a?.alert.id).not.toBe(b?.alert.id);
  });

  it('raises count and lastSeen for a repeat within the dedup window instead of a new alert', () => {
    const { f, advance } = factory();
    f.raise(egressFinding());
    advance(30_000);
    const repeat = f.raise(egressFinding());
    expect(repeat?.kind).toBe('repeat');
    expect(repeat?.alert).toMatchObject({
      id: 'id-1',
      count: 2,
      firstSeen: '2026-11-23T04:00:00.123Z',
      lastSeen: '2026-11-23T04:00:30.123Z',
    });
  });

  it('keeps an alert open while repeats keep coming, each within the window of the last', () => {
    const { f, advance } = factory();
    f.raise(egressFinding());
    for (let i = 0; i < 3; i++) {
      advance(50_000);
      f.raise(egressFinding());
    }
    expect(f.raise(egressFinding())).toMatchObject({ kind: 'repeat', alert: { count: 5 } });
  });

  it('raises a new alert once the dedup window has passed', () => {
    const { f, advance } = factory();
    f.raise(egressFinding());
    advance(60_001);
    expect(f.raise(egressFinding())).toMatchObject({ kind: 'new', alert: { id: 'id-2', count: 1 } });
  });

  it('keeps at most maxOpen keys open, forgetting the longest unseen first', () => {
    const { f } = factory({ maxOpen: 3 });
    for (const port of [1, 2, 3]) f.raise(egressFinding(port));
    expect(f.raise(egressFinding(1))?.kind).toBe('repeat'); // 1 is now the most recently seen
    f.raise(egressFinding(4)); // a fourth key: 2, unseen the longest, is forgotten
    expect(f.raise(egressFinding(2))?.kind).toBe('new');
    // 2 came back as a fifth key, so 3 (now the longest unseen) went; 1 and 4 are still open.
    expect(f.raise(egressFinding(1))?.kind).toBe('repeat');
    expect(f.raise(egressFinding(4))?.kind).toBe('repeat');
    expect(f.raise(egressFinding(3))?.kind).toBe('new');
  });

  it('treats another key or another container as a new alert', () => {
    const { f } = factory();
    f.raise(egressFinding(4444));
    expect(f.raise(egressFinding(9000))?.kind).toBe('new');
    expect(f.raise(egressFinding(4444, T0, { ...API_CONTAINER, id: 'b'.repeat(64) }))?.kind).toBe('new');
  });

  it('applies a per-rule severity override and drops findings of a disabled rule', () => {
    const { f } = factory({ rules: { unexpected_egress: { enabled: true, severity: 'critical' } } });
    expect(f.raise(egressFinding())?.alert.severity).toBe('critical');
    const off = factory({ rules: { unexpected_egress: { enabled: false } } });
    expect(off.f.raise(egressFinding())).toBeNull();
  });

  it("uses the finding's own severity over the rule default when no override is set", () => {
    const { f } = factory();
    expect(f.raise({ ...egressFinding(), severity: 'low' })?.alert.severity).toBe('low');
  });

  it('compares severities in DESIGN order for per-sink minimums', () => {
    expect(meetsSeverity({ severity: 'high' }, 'medium')).toBe(true);
    expect(meetsSeverity({ severity: 'low' }, 'medium')).toBe(false);
    expect(meetsSeverity({ severity: 'info' }, 'info')).toBe(true);
  });
});
