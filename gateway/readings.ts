import { type Reading, telemetryLimits } from '../core/telemetry.ts';

/**
 * The reading the gateway publishes for a decoded value. A meter that sends NaN or ±∞ (many do
 * while a value is unavailable) gives a bad-quality reading that says so, never a number the
 * store would take for a measurement.
 */
export function readingOf(
  device: string,
  decoded: { point: string; value: number; unit?: string | undefined },
  ts: string,
): Reading {
  if (!Number.isFinite(decoded.value)) return badReading(device, decoded, ts, `device sent ${decoded.value}`);
  const unit = decoded.unit === undefined ? {} : { unit: decoded.unit };
  return { device, point: decoded.point, value: decoded.value, ...unit, ts, quality: 'good' };
}

/** A reading without a value, saying why (a reason longer than the wire allows is shortened, never refused). */
export function badReading(
  device: string,
  point: { point: string; unit?: string | undefined },
  ts: string,
  reason: string,
): Reading {
  const unit = point.unit === undefined ? {} : { unit: point.unit };
  const max = telemetryLimits.maxReason;
  const text = reason.length > max ? `${reason.slice(0, max - 1)}…` : reason;
  return { device, point: point.point, value: null, ...unit, ts, quality: 'bad', reason: text };
}
