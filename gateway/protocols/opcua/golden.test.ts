import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataType, DataValue, type StatusCode, StatusCodes, Variant } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { opcuaPointSchema } from '../../../core/profiles/profileSchema.ts';
import { decodeValue } from './values.ts';

/**
 * Golden decoding cases: `testcases/<case>/input.yaml` holds a node-map point and the DataValue a
 * server sends (data type, value, status code name, timestamps); `expected.yaml` the reading the
 * gateway publishes for it. A decoding regression is one new folder.
 */
const casesDir = join(dirname(fileURLToPath(import.meta.url)), 'testcases');
/** The gateway's clock in every case (used only when the server sends no timestamp). */
const now = Date.parse('2025-07-02T02:00:09.000Z');

interface CaseInput {
  point: Record<string, unknown>;
  data_value: {
    data_type: keyof typeof DataType;
    value: unknown;
    status: keyof typeof StatusCodes;
    source_timestamp?: string;
    server_timestamp?: string;
  };
}

function dataValue(input: CaseInput['data_value']): DataValue {
  const status = StatusCodes[input.status] as StatusCode | undefined;
  if (!status) throw new Error(`no OPC UA status code ${input.status}`);
  return new DataValue({
    value: new Variant({ dataType: DataType[input.data_type], value: input.value }),
    statusCode: status,
    ...(input.source_timestamp ? { sourceTimestamp: new Date(input.source_timestamp) } : {}),
    ...(input.server_timestamp ? { serverTimestamp: new Date(input.server_timestamp) } : {}),
  });
}

describe('OPC UA decoding golden cases', () => {
  const cases = readdirSync(casesDir).sort();
  it('has the cases of every data type and status kind', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)('%s', (name) => {
    const input = parse(readFileSync(join(casesDir, name, 'input.yaml'), 'utf8')) as CaseInput;
    const expected = parse(readFileSync(join(casesDir, name, 'expected.yaml'), 'utf8')) as unknown;
    const point = opcuaPointSchema.parse({ name: name, browse_name: 'Point', ...input.point });
    const reading = decodeValue(
      { device: 'dev', point, nodeId: 'ns=2;s=dev.Point' },
      dataValue(input.data_value),
      now,
    );
    expect(reading).toEqual(expected);
  });
});
