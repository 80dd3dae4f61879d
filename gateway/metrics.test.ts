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

  it('has a gauge per device that says whether the gateway hears it, and counts its outages', async () => {
    const registry = new Registry();
    const m = new GatewayMetrics('gw-a', () => ({ batches: 0, bytes: 0, dropped: 0 }), registry);
    m.availability('m1', 'online');
    m.availability('m2', 'offline');
    m.availability('m2', 'online');
    m.availability('m2', 'offline');
    let text = await registry.metrics();
    expect(text).toContain('jieneng_gateway_device_up{gateway="gw-a",device="m1"} 1');
    expect(text).toContain('jieneng_gateway_device_up{gateway="gw-a",device="m2"} 0');
    expect(text).toContain('jieneng_gateway_device_outages_total{gateway="gw-a",device="m2"} 2');
    m.availability('m2', undefined); // removed by a reload
    text = await registry.metrics();
    expect(text).not.toContain('device="m2"');
  });
});
