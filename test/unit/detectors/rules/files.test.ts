import { describe, expect, it } from 'vitest';
import { web, fileChanged } from '../../../fixtures/events.ts';
import { LEARN_MS, harness } from '../../../fixtures/harness.ts';
import { isSensitive } from '../../../../detectors/rules/files.ts';

function learned() {
  const h = harness();
  h.feed(fileChanged(h.at(0), web, '/var/log/nginx/access.log'), fileChanged(h.at(1000), web, '/tmp/cache/entry-1'));
  h.at(LEARN_MS + 1000);
  return h;
}

describe('sensitive_file_change', () => {
  it('alerts on a file written to /usr/bin, and only with that rule', () => {
    const h = learned();
    const findings = h.feed(fileChanged(h.now, web, '/usr/bin/backdoor', 'create'));
    expect(h.rules(findings)).toEqual(['sensitive_file_change']);
    expect(findings[0]?.summary).toBe(
      'shop-web-1 (shop/web) created /usr/bin/backdoor, inside a protected system directory',
    );
  });

  it('alerts while learning too', () => {
    const h = harness();
    expect(h.rules(h.feed(fileChanged(h.at(0), web, '/root/.ssh/authorized_keys', 'write')))).toEqual([
      'sensitive_file_change',
    ]);
  });

  it('ignores changes found at attach (made before shipwatch watched)', () => {
    const h = harness();
    expect(h.feed(fileChanged(h.at(0), web, '/etc/passwd', 'write', true))).toEqual([]);
  });

  it('covers every /lib* directory and nothing that only looks alike', () => {
    expect(
      ['/lib/x.so', '/lib64/ld.so', '/lib32/a', '/etc/shadow', '/boot/vmlinuz', '/usr/local/bin/x'].every(isSensitive),
    ).toBe(true);
    expect(['/library/a', '/etcetera/b', '/usr/lib/x', '/var/lib/x'].some(isSensitive)).toBe(false);
  });
});

describe('unexpected_file_change', () => {
  it('alerts on a write outside the learned prefixes', () => {
    const h = learned();
    const [finding] = h.feed(fileChanged(h.now, web, '/srv/www/index.html'));
    expect(finding?.rule).toBe('unexpected_file_change');
    expect(finding?.summary).toContain('outside the places it wrote during learning');
  });

  it('stays silent inside learned prefixes', () => {
    const h = learned();
    expect(
      h.feed(fileChanged(h.now, web, '/var/log/nginx/error.log'), fileChanged(h.now, web, '/tmp/cache/entry-99')),
    ).toEqual([]);
  });
});
