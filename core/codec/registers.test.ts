import { describe, expect, it } from 'vitest';
import { decodeRegisters, encodeRegisters } from './registers.ts';

describe('register codec', () => {
  // 230.5 as IEEE-754 float32 is 0x43668000: bytes A=43 B=66 C=80 D=00.
  it.each([
    ['ABCD', [0x4366, 0x8000]],
    ['CDAB', [0x8000, 0x4366]],
    ['BADC', [0x6643, 0x0080]],
    ['DCBA', [0x0080, 0x6643]],
  ] as const)('float32 230.5 in %s order is %j on the wire', (order, words) => {
    expect(encodeRegisters(230.5, 'float32', order)).toEqual(words);
    expect(decodeRegisters(words, 'float32', order)).toBe(230.5);
  });

  it('reads signed and unsigned 16/32-bit words', () => {
    expect(decodeRegisters([0xfffe], 'int16', 'ABCD')).toBe(-2);
    expect(decodeRegisters([0xfffe], 'uint16', 'ABCD')).toBe(65534);
    expect(decodeRegisters([0x0001, 0x0002], 'uint32', 'ABCD')).toBe(65538);
    expect(decodeRegisters([0x0002, 0x0001], 'uint32', 'CDAB')).toBe(65538);
    expect(decodeRegisters([0xffff, 0xfffe], 'int32', 'ABCD')).toBe(-2);
  });

  it('reads 64-bit values with word swapping', () => {
    expect(decodeRegisters([0, 0, 0x0001, 0x0000], 'uint64', 'ABCD')).toBe(65536);
    expect(decodeRegisters([0x0000, 0x0001, 0, 0], 'uint64', 'CDAB')).toBe(65536);
    expect(encodeRegisters(-1.5, 'float64', 'ABCD')).toEqual([0xbff8, 0, 0, 0]);
  });

  it('reads strings two characters per register and drops padding', () => {
    expect(decodeRegisters([0x5344, 0x4d36, 0x3330, 0x0000], 'string', 'ABCD')).toBe('SDM630');
    expect(encodeRegisters('SDM630', 'string', 'ABCD', 4)).toEqual([0x5344, 0x4d36, 0x3330, 0x0000]);
  });
});
