import { DataType, type DataValue, Variant } from 'node-opcua';
import type { OpcuaPoint } from '../../../core/profiles/profileSchema.ts';
import type { Reading } from '../../../core/telemetry.ts';
import { badReading, readingOf } from '../../readings.ts';

/** The OPC UA value a validated command writes: numbers as the point's data type. */
export function variantFor(point: OpcuaPoint, value: number): Variant {
  switch (point.data_type) {
    case 'Boolean':
      return new Variant({ dataType: DataType.Boolean, value: value === 1 });
    case 'Int32':
      return new Variant({ dataType: DataType.Int32, value });
    case 'Double':
      return new Variant({ dataType: DataType.Double, value });
    case 'String':
      return new Variant({ dataType: DataType.String, value: point.values?.[value] ?? '' });
  }
}

/**
 * The reading of a DataValue: the server's source timestamp (else its server timestamp, else
 * `now`); a non-Good status is a bad reading with the status text and the node; booleans become
 * 0/1 and enumerations (strings) their index in the profile's `values`.
 */
export function decodeValue(
  target: { device: string; point: OpcuaPoint; nodeId: string },
  dv: DataValue,
  now: number,
): Reading {
  const { device, point } = target;
  const ts = (dv.sourceTimestamp ?? dv.serverTimestamp ?? new Date(now)).toISOString();
  const raw = dv.value.value as unknown;
  const out = { point: point.id, unit: point.unit };
  if (!dv.statusCode.isGood())
    return badReading(device, out, ts, `node ${target.nodeId}: ${dv.statusCode.toString()}`);
  let value: number;
  if (typeof raw === 'boolean') value = raw ? 1 : 0;
  else if (typeof raw === 'string') value = point.values?.indexOf(raw) ?? -1;
  else value = Number(raw);
  if (!Number.isFinite(value) || (value < 0 && typeof raw === 'string'))
    return badReading(device, out, ts, `unexpected value ${String(raw)}`);
  return readingOf(device, { ...out, value }, ts);
}
