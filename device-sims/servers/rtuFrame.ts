/**
 * Modbus RTU framing (Modbus over Serial Line v1.02): address, PDU, CRC-16/MODBUS little-endian.
 * Frames are delimited by their expected length from the function code, so a master's request is
 * recognised as soon as it is complete, as a real slave's UART would.
 */

/** CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF). Check value of "123456789" is 0x4B37. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** Appends the CRC to `unit + pdu`. */
export function rtuFrame(unit: number, pdu: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([unit]), pdu]);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc16(body));
  return Buffer.concat([body, crc]);
}

/** Length of the request frame starting at buf[0], or undefined while too little has arrived to tell. */
function requestLength(buf: Buffer): number | undefined {
  if (buf.length < 2) return undefined;
  const fc = buf[1] ?? 0;
  if (fc >= 1 && fc <= 6) return 8;
  if (fc === 15 || fc === 16) return buf.length < 7 ? undefined : 9 + (buf[6] ?? 0);
  return 4; // unknown function: address, function, CRC — answered with "illegal function" if the CRC holds
}

export interface RtuRequest {
  unit: number;
  pdu: Buffer;
  /** Bytes of the whole frame, for bus timing. */
  length: number;
}

/**
 * Pulls complete, CRC-valid requests out of a receive buffer. A byte that cannot start a valid
 * frame is dropped (line noise, a frame cut short), so the reader resynchronises by itself.
 */
export class RtuRequestReader {
  private buf = Buffer.alloc(0);
  dropped = 0;

  push(chunk: Buffer): RtuRequest[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: RtuRequest[] = [];
    for (;;) {
      const len = requestLength(this.buf);
      if (len === undefined || this.buf.length < len) {
        if (this.buf.length > 260)
          this.drop(); // longer than any Modbus frame: garbage
        else return out;
        continue;
      }
      const frame = this.buf.subarray(0, len);
      const crc = frame.readUInt16LE(len - 2);
      if (crc !== crc16(frame.subarray(0, len - 2))) {
        this.drop();
        continue;
      }
      out.push({ unit: frame[0] ?? 0, pdu: Buffer.from(frame.subarray(1, len - 2)), length: len });
      this.buf = this.buf.subarray(len);
    }
  }

  private drop(): void {
    this.buf = this.buf.subarray(1);
    this.dropped++;
  }
}
