import { describe, expect, it } from 'vitest';
import { crc16, RtuRequestReader, rtuFrame } from './rtuFrame.ts';

describe('Modbus RTU framing', () => {
  it('computes CRC-16/MODBUS', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x4b37);
    // Read holding registers 0..1 of unit 1: the frame every Modbus tutorial shows.
    expect(rtuFrame(1, Buffer.from([0x03, 0x00, 0x00, 0x00, 0x02]))).toEqual(
      Buffer.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x02, 0xc4, 0x0b]),
    );
  });

  it('finds requests split across reads, after line noise, and skips a bad CRC', () => {
    const reader = new RtuRequestReader();
    const good = rtuFrame(2, Buffer.from([0x04, 0x00, 0x48, 0x00, 0x02]));
    const bad = Buffer.from(good);
    bad[7] = (bad[7] ?? 0) ^ 0xff;
    expect(reader.push(Buffer.concat([Buffer.from([0x00, 0xff]), good.subarray(0, 3)]))).toEqual([]);
    expect(reader.push(good.subarray(3))).toEqual([
      { unit: 2, pdu: Buffer.from([0x04, 0x00, 0x48, 0x00, 0x02]), length: 8 },
    ]);
    expect(reader.push(bad)).toEqual([]);
    const write = rtuFrame(5, Buffer.from([0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0a, 0x01, 0x02]));
    expect(reader.push(write).map((r) => [r.unit, r.length])).toEqual([[5, 13]]);
    expect(reader.dropped).toBeGreaterThan(0);
  });
});
