import { describe, expect, it } from 'vitest';
import type { CollectorCounters } from './counters.ts';
import { collectorMetrics } from './metrics.ts';

describe('collector metrics', () => {
  it('exports the counters as totals and names the gateways the collector has gone deaf to', async () => {
    const counters: CollectorCounters = {
      batches: 3,
      readings_stored: 7,
      rejected: 1,
      readings_rejected: 0,
      quarantined: 2,
      unknown_device_readings: 0,
      duplicates: 1,
      seq_conflicts: 0,
      gaps: 0,
      store_errors: 0,
      waiting: 0,
    };
    const registry = collectorMetrics(() => ({
      counters,
      silent: [{ gateway: 'gw-a', silent_s: 70, published: 12 }],
      connected: [true, false],
    }));
    const text = await registry.metrics();
    expect(text).toContain('# TYPE jieneng_collector_quarantined_total counter');
    expect(text).toContain('jieneng_collector_quarantined_total 2');
    expect(text).toContain('jieneng_collector_silent_gateways 1');
    expect(text).toContain('jieneng_collector_gateway_silent_seconds{gateway="gw-a"} 70');
    expect(text).toContain('jieneng_collector_mqtt_connected 1');
    counters.quarantined = 5; // read at every scrape
    expect(await registry.metrics()).toContain('jieneng_collector_quarantined_total 5');
  });
});
