import { describe, expect, it } from 'vitest';
import { addPath, coveredBy, prefixFor } from '../../../detectors/path-prefixes.ts';

const learn = (...paths: string[]) => paths.reduce<string[]>((acc, p) => addPath(acc, p), []);

describe('written path prefixes', () => {
  it('stands a written file for its directory', () => {
    expect(prefixFor('/var/log/nginx/access.log')).toBe('/var/log/nginx/*');
  });

  it('learns one prefix for many files in the same directory', () => {
    expect(learn('/var/log/nginx/access.log', '/var/log/nginx/error.log', '/var/log/nginx/access.log.1')).toEqual([
      '/var/log/nginx/*',
    ]);
  });

  it('cuts a prefix at a generated directory name', () => {
    expect(prefixFor('/tmp/tmp.x8Kd2q1/out.txt')).toBe('/tmp/*');
    expect(prefixFor('/var/lib/app/sessions/3f9ac2d1e0b4/data')).toBe('/var/lib/app/sessions/*');
    expect(prefixFor('/var/cache/app/12345/blob')).toBe('/var/cache/app/*');
  });

  it('collapses four sibling directories into their parent', () => {
    expect(learn('/srv/data/a/1.txt', '/srv/data/b/1.txt', '/srv/data/c/1.txt', '/srv/data/d/1.txt')).toEqual([
      '/srv/data/*',
    ]);
  });

  it('never collapses into a top-level directory such as /var', () => {
    const prefixes = learn('/var/a/x', '/var/b/x', '/var/c/x', '/var/d/x');
    expect(prefixes).toHaveLength(4);
    expect(prefixes).not.toContain('/var/*');
  });

  it('collapses into a scratch directory like /tmp', () => {
    expect(learn('/tmp/a/x', '/tmp/b/x', '/tmp/c/x', '/tmp/d/x')).toEqual(['/tmp/*']);
  });

  it('drops narrower prefixes a broader one covers', () => {
    expect(learn('/var/log/nginx/access.log', '/var/log/x.log')).toEqual(['/var/log/*']);
  });

  it('keeps a file written directly under / as an exact path', () => {
    expect(learn('/healthy')).toEqual(['/healthy']);
    expect(coveredBy(['/healthy'], '/healthy')).toBe(true);
    expect(coveredBy(['/healthy'], '/healthy2')).toBe(false);
  });

  it('covers deeper paths below a learned prefix but not look-alike siblings', () => {
    expect(coveredBy(['/var/log/nginx/*'], '/var/log/nginx/old/a.gz')).toBe(true);
    expect(coveredBy(['/var/log/nginx/*'], '/var/log/nginx2/a.log')).toBe(false);
  });
});
