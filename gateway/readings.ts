import type { Reading } from '../core/telemetry.ts';

/**
 * The reading the gateway publishes for a decoded value. A meter that sends NaN or ±∞ (many do
 * while a value is unavailable) gives a bad-quality reading that says so, never a number the
 * store would take for a measurement.
 */
export function readingOf(
  device: string,
  decoded: { point: string; value: number; unit?: string },
  ts: string,
): Reading {
  const unit = decoded.unit === undefined ? {} : { unit: decoded.unit };
  if (!Number.isFinite(decoded.value)) {
    return {
      device,
      point: decoded.point,
      value: null,
      ...unit,
      ts,
      quality: 'bad',
      reason: `device sent ${decoded.value}`,
    };
  }
  return { device, point: decoded.point, value: decoded.value, ...unit, ts, quality: 'good' };
}
