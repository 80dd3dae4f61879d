import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './helpers/apiHarness.ts';

describe('GET /api/v1/points says what a command may ask for', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("from every bound control checks: the 26 °C rule, the site's limit, the device's range, on/off", async () => {
    const { points } = (await (await fetch(`${h.base}/api/v1/points`, { headers: h.headers })).json()) as {
      points: { device: string; point: string; min: number | null; max: number | null }[];
    };
    const find = (device: string, point: string) =>
      points.find((p) => p.device === device && p.point === point);
    // The demo's office AC: the 26 °C rule below, control.points' max 28 °C above.
    expect(find('zonghe-lou-f1-3-ac', 'cooling_setpoint')).toMatchObject({ min: 26, max: 28 });
    expect(find('zonghe-lou-f1-3-ac', 'on_off')).toMatchObject({ min: 0, max: 1 });
    // And a command outside that range is refused, so the console's hint is the API's own rule.
    const r = await fetch(`${h.base}/api/v1/points/zonghe-lou-f1-3-ac/cooling_setpoint/override`, {
      method: 'PUT',
      headers: { ...h.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ value: 25.5, for: '1h', reason: '测试' }),
    });
    expect(r.status).toBe(422);
  });
});
