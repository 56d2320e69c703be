import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { Isolator } from '../../../response/isolate.ts';
import type { IsolationStore } from '../../../response/isolation-store.ts';

// The fuzz of the real agent's API found it: an id of `..` reached dockerd, which answers a
// redirect that the Docker client follows to a host name and dies of. Ids Docker could not
// have given never reach the client; real ids and names still do.
describe('Isolator ids', () => {
  const asked: string[] = [];
  const docker = {
    getContainer: (id: string) => ({
      inspect: () => {
        asked.push(id);
        return Promise.reject(Object.assign(new Error('no such container'), { statusCode: 404 }));
      },
    }),
  } as unknown as Docker;
  const isolator = new Isolator(docker, {} as IsolationStore);
  const request = { actor: 'test', reason: null, alertId: null, pause: false };

  it('answers not_found without asking Docker for ids Docker could not have given', async () => {
    for (const id of ['..', '.', '../x', 'a/../b', '~..', '', '-rf', '%2e%2e', 'a b', 'x'.repeat(300)]) {
      expect(await isolator.isolate(id, request)).toMatchObject({ ok: false, code: 'not_found' });
      expect(await isolator.release(id)).toMatchObject({ ok: false, code: 'not_found' });
    }
    expect(asked).toEqual([]);
  });

  it('asks Docker for ids, id prefixes and names as Docker allows them', async () => {
    for (const id of ['3f2a9c1b', 'a'.repeat(64), 'shop-api-1', 'swt_x.y-z', '/shop-api-1']) {
      expect(await isolator.isolate(id, request)).toMatchObject({ ok: false, code: 'not_found' });
    }
    expect(asked).toEqual(['3f2a9c1b', 'a'.repeat(64), 'shop-api-1', 'swt_x.y-z', '/shop-api-1']);
  });
});
