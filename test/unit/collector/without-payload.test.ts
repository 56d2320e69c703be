import { describe, expect, it } from 'vitest';
import { withoutPayload, type FlowRecord } from '../../../collector/events.ts';
import { api, containerEnd, externalEnd, flowStart } from '../../fixtures/events.ts';

describe('withoutPayload', () => {
  it('keeps a flow’s first payload bytes from leaving the agent, and nothing else', () => {
    const start = flowStart(0, containerEnd(api, '198.18.2.3', 40000), externalEnd('203.0.113.10', 80), 'shop_backend');
    const flow = { ...(start as { flow: FlowRecord }).flow, firstPayload: 'GET /?token=secret HTTP/1.1' };
    const served = withoutPayload(flow);
    expect(served).not.toHaveProperty('firstPayload');
    expect(JSON.stringify(served)).not.toContain('secret');
    expect(served.id).toBe(flow.id);
  });
});
