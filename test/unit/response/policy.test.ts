import { describe, expect, it } from 'vitest';
import { AutoResponder, type AlertForPolicy, type PolicyConfig } from '../../../response/policy.ts';
import type { ResponseService } from '../../../response/service.ts';

const container = { id: 'c'.repeat(64), name: 'api-1', image: 'shop/api:1', workload: 'shop/api' };

function alert(overrides: Partial<AlertForPolicy> = {}): AlertForPolicy {
  return {
    id: 'a1',
    rule: 'drift_executable',
    severity: 'critical',
    summary: 'dropped binary ran',
    container,
    ...overrides,
  };
}

/** Records what the policy asked for; the real service is exercised by the integration test. */
function recordingService() {
  const calls: string[] = [];
  const service = {
    isolate: (id: string) => {
      calls.push(`isolate:${id}`);
      return Promise.resolve({ ok: true });
    },
    pause: (id: string) => {
      calls.push(`pause:${id}`);
      return Promise.resolve({ ok: true });
    },
    auditDryRun: (c: { id: string }, action: string) => calls.push(`dry-run:${action}:${c.id}`),
  } as unknown as ResponseService;
  return { service, calls };
}

function policy(config: Partial<PolicyConfig>, now = () => 0) {
  const { service, calls } = recordingService();
  const responder = new AutoResponder(
    { auto: {}, dry_run: false, exempt_workloads: [], max_actions_per_hour: 5, ...config },
    service,
    now,
  );
  return { responder, calls };
}

describe('automatic response policy', () => {
  it('does nothing when no policy is configured', async () => {
    const { responder, calls } = policy({});
    expect(responder.enabled).toBe(false);
    expect((await responder.handle(alert())).action).toBe('none');
    expect(calls).toEqual([]);
  });

  it('isolates on a configured rule', async () => {
    const { responder, calls } = policy({ auto: { drift_executable: 'isolate' } });
    expect((await responder.handle(alert())).action).toBe('isolate');
    expect(calls).toEqual([`isolate:${container.id}`]);
  });

  it('matches a severity when the rule has no entry, and the rule entry wins over the severity', async () => {
    const { responder, calls } = policy({ auto: { critical: 'pause', suspicious_process: 'isolate' } });
    await responder.handle(alert());
    await responder.handle(
      alert({
        id: 'a2',
        rule: 'suspicious_process',
        severity: 'critical',
        container: { ...container, id: 'd'.repeat(64) },
      }),
    );
    expect(calls).toEqual([`pause:${container.id}`, `isolate:${'d'.repeat(64)}`]);
  });

  it('only reports what it would do in dry-run mode', async () => {
    const { responder, calls } = policy({ auto: { drift_executable: 'isolate' }, dry_run: true });
    await responder.handle(alert());
    expect(calls).toEqual([`dry-run:isolate:${container.id}`]);
  });

  it('never touches an exempt workload', async () => {
    const { responder, calls } = policy({ auto: { drift_executable: 'isolate' }, exempt_workloads: ['shop/api'] });
    const decision = await responder.handle(alert());
    expect(decision).toEqual({ action: 'none', why: 'workload shop/api is exempt' });
    expect(calls).toEqual([]);
  });

  it('stops acting after max_actions_per_hour and resumes when the hour has passed', async () => {
    let now = 0;
    const { responder, calls } = policy({ auto: { critical: 'isolate' }, max_actions_per_hour: 2 }, () => now);
    for (let i = 0; i < 4; i++) {
      await responder.handle(alert({ id: `a${i}`, container: { ...container, id: `id-${i}` } }));
    }
    expect(calls).toEqual(['isolate:id-0', 'isolate:id-1']);
    expect(responder.rateLimited).toBe(2);
    now = 3_600_001;
    await responder.handle(alert({ id: 'late', container: { ...container, id: 'id-9' } }));
    expect(calls).toContain('isolate:id-9');
  });

  it('never acts on its own audit alerts', async () => {
    const { responder, calls } = policy({ auto: { info: 'isolate' } });
    await responder.handle(alert({ rule: 'container_isolated', severity: 'info' }));
    expect(calls).toEqual([]);
  });

  it('acts once per container and action, however many alerts repeat', async () => {
    const { responder, calls } = policy({ auto: { drift_executable: 'isolate' } });
    await responder.handle(alert({ id: 'x1' }));
    await responder.handle(alert({ id: 'x2' }));
    expect(calls).toHaveLength(1);
  });
});
