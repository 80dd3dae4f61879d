/**
 * Byte-exact conversion between Modbus register words (uint16, as on the wire) and values.
 * Orders name the bytes of a big-endian value as A B C D (…H): `ABCD` is big-endian with the high
 * word first (Modbus convention), `CDAB` swaps words, `BADC` swaps bytes in each word, `DCBA` both.
 */
export type RegisterType =
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'string';
export type WordOrder = 'ABCD' | 'BADC' | 'CDAB' | 'DCBA';

const fixedWords: Record<Exclude<RegisterType, 'string'>, number> = {
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  int64: 4,
  uint64: 4,
  float32: 2,
  float64: 4,
};

/** Number of 16-bit registers a value occupies; strings take `length` registers (2 characters each). */
export function registerCount(type: RegisterType, length = 1): number {
  return type === 'string' ? length : fixedWords[type];
}

/** Reorders the bytes of `words` between wire order and big-endian ABCD order; the mapping is its own inverse. */
function reorder(bytes: Buffer, order: WordOrder): Buffer {
  const out = Buffer.from(bytes);
  const swapBytes = order === 'BADC' || order === 'DCBA';
  const reverseWords = order === 'CDAB' || order === 'DCBA';
  const n = bytes.length / 2;
  for (let w = 0; w < n; w++) {
    const src = reverseWords ? n - 1 - w : w;
    const hi = bytes[src * 2] ?? 0;
    const lo = bytes[src * 2 + 1] ?? 0;
    out[w * 2] = swapBytes ? lo : hi;
    out[w * 2 + 1] = swapBytes ? hi : lo;
  }
  return out;
}

function wordsToBytes(words: readonly number[]): Buffer {
  const buf = Buffer.alloc(words.length * 2);
  words.forEach((w, i) => {
    buf.writeUInt16BE(w & 0xffff, i * 2);
  });
  return buf;
}

function bytesToWords(buf: Buffer): number[] {
  const words: number[] = [];
  for (let i = 0; i < buf.length; i += 2) words.push(buf.readUInt16BE(i));
  return words;
}

/** Decodes register words (as read from the device) into a number or string. */
export function decodeRegisters(
  words: readonly number[],
  type: RegisterType,
  order: WordOrder,
): number | string {
  const be = reorder(wordsToBytes(words), type === 'string' ? 'ABCD' : order);
  switch (type) {
    case 'int16':
      return be.readInt16BE(0);
    case 'uint16':
      return be.readUInt16BE(0);
    case 'int32':
      return be.readInt32BE(0);
    case 'uint32':
      return be.readUInt32BE(0);
    case 'int64':
      return Number(be.readBigInt64BE(0));
    case 'uint64':
      return Number(be.readBigUInt64BE(0));
    case 'float32':
      return be.readFloatBE(0);
    case 'float64':
      return be.readDoubleBE(0);
    case 'string':
      return be.toString('latin1').replace(/\0+$/, '').trimEnd();
  }
}

/** Encodes a value into register words in the given order (what a device would put on the wire). */
export function encodeRegisters(
  value: number | string,
  type: RegisterType,
  order: WordOrder,
  length = 1,
): number[] {
  const be = Buffer.alloc(registerCount(type, length) * 2);
  const n = typeof value === 'number' ? value : Number(value);
  switch (type) {
    case 'int16':
      be.writeInt16BE(Math.round(n), 0);
      break;
    case 'uint16':
      be.writeUInt16BE(Math.round(n), 0);
      break;
    case 'int32':
      be.writeInt32BE(Math.round(n), 0);
      break;
    case 'uint32':
      be.writeUInt32BE(Math.round(n), 0);
      break;
    case 'int64':
      be.writeBigInt64BE(BigInt(Math.round(n)), 0);
      break;
    case 'uint64':
      be.writeBigUInt64BE(BigInt(Math.round(n)), 0);
      break;
    case 'float32':
      be.writeFloatBE(n, 0);
      break;
    case 'float64':
      be.writeDoubleBE(n, 0);
      break;
    case 'string':
      be.write(String(value), 'latin1');
      return bytesToWords(be);
  }
  return bytesToWords(reorder(be, order));
}
