import { describe, expect, it } from 'vitest';
import { dockerExec, web } from '../../../fixtures/events.ts';
import { harness } from '../../../fixtures/harness.ts';

describe('interactive_exec', () => {
  it('alerts when someone runs docker exec into a container', () => {
    const h = harness();
    const [finding] = h.feed(dockerExec(h.at(0), web, ['sh'], { tty: true }));
    expect(finding?.rule).toBe('interactive_exec');
    expect(finding?.summary).toBe(
      'someone ran "sh" as root with a terminal in shop-web-1 (shop/web) through docker exec',
    );
  });

  it('stays silent for a Docker healthcheck', () => {
    const h = harness();
    expect(h.feed(dockerExec(h.at(0), web, ['wget', '-q', 'http://localhost/health'], { healthcheck: true }))).toEqual(
      [],
    );
  });
});
