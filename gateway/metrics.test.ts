import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from './metrics.ts';

describe('gateway metrics', () => {
  it('lets several gateways of one process share a registry, told apart by label', async () => {
    const registry = new Registry();
    const a = new GatewayMetrics('gw-a', () => ({ batches: 3, bytes: 300, dropped: 0 }), registry);
    const b = new GatewayMetrics('gw-b', () => ({ batches: 0, bytes: 0, dropped: 2 }), registry);
    a.observe('m1', 'ok', 0.012, 1_700_000_000_000);
    b.observe('m2', 'no_reply', 1, 1_700_000_000_000);
    const text = await registry.metrics();
    expect(text).toContain('jieneng_gateway_requests_total{gateway="gw-a",device="m1",outcome="ok"} 1');
    expect(text).toContain('jieneng_gateway_requests_total{gateway="gw-b",device="m2",outcome="no_reply"} 1');
    expect(text).toContain(
      'jieneng_gateway_last_success_timestamp_seconds{gateway="gw-a",device="m1"} 1700000000',
    );
    expect(text).toContain('jieneng_gateway_spool_batches{gateway="gw-a"} 3');
    expect(text).toContain('jieneng_gateway_spool_dropped_total{gateway="gw-b"} 2');
    expect(text).toContain('jieneng_gateway_request_seconds_bucket{le="0.025",gateway="gw-a",device="m1"} 1');
  });
});
