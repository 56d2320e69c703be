import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AWAIT_MS, ExecSessions } from '../../../../collector/processes/exec-sessions.ts';

describe('docker exec sessions', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('names a session at once when Docker announced the exec first', () => {
    const sessions = new ExecSessions(() => 1000);
    sessions.execStarted('c1', 'e1', ['sh', '-c', 'id'], false);
    const session = sessions.open('c1', ['sh', '-c', 'id']);
    expect(session.execId).toBe('e1');
    expect(session.pending).toBeNull();
  });

  it('holds events of a session until Docker announces its exec', () => {
    const sessions = new ExecSessions(() => 1000);
    const session = sessions.open('c1', ['true']);
    const sent: (string | null)[] = [];
    session.pending?.push(() => sent.push(session.execId));
    expect(sent).toEqual([]);
    sessions.execStarted('c1', 'e2', ['true'], true);
    expect(sent).toEqual(['e2']);
    expect(session.healthcheck).toBe(true);
  });

  it('lets held events go without an exec id after the wait', () => {
    const sessions = new ExecSessions(() => 1000);
    const session = sessions.open('c1', ['true']);
    const sent: (string | null)[] = [];
    session.pending?.push(() => sent.push(session.execId));
    vi.advanceTimersByTime(AWAIT_MS);
    expect(sent).toEqual([null]);
  });

  it('prefers the exec with the same argv in the same container', () => {
    const sessions = new ExecSessions(() => 1000);
    sessions.execStarted('c1', 'other', ['ls'], false);
    sessions.execStarted('c2', 'elsewhere', ['cat'], false);
    sessions.execStarted('c1', 'mine', ['cat'], false);
    expect(sessions.open('c1', ['cat']).execId).toBe('mine');
    expect(sessions.unclaimedContainer()).toBe('c1');
  });
});

describe('docker exec sessions that gave up waiting', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('does not hand a late exec.started to the next exec of the same container', () => {
    const sessions = new ExecSessions(() => 1000);
    const first = sessions.open('c1', ['sh', '-c', 'loop']);
    vi.advanceTimersByTime(AWAIT_MS);
    expect(first.execId).toBeNull();
    sessions.execStarted('c1', 'late', ['sh', '-c', 'loop'], false);
    const next = sessions.open('c1', ['sh', '-c', 'exit 3']);
    sessions.execStarted('c1', 'mine', ['sh', '-c', 'exit 3'], false);
    expect(next.execId).toBe('mine');
    expect(next.argv).toEqual(['sh', '-c', 'exit 3']);
  });
});
