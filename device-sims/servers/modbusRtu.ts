import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import type { Logger } from '../../core/log.ts';
import type { RtuBus } from '../scenario/schema.ts';
import { crc16, RtuRequestReader, rtuFrame } from './rtuFrame.ts';
import { ILLEGAL_FUNCTION, ModbusSlave, modbusError, type ServedDevice } from './slave.ts';

/** Bits on the wire per character: start + 8 data + parity + stop. */
function bitsPerChar(bus: RtuBus): number {
  return 1 + 8 + (bus.parity === 'none' ? 0 : 1) + bus.stop_bits;
}

/** Response PDU for a request PDU, computed through the slave (profiles, faults, writes). */
function respond(slave: ModbusSlave, dev: ServedDevice, pdu: Buffer): Buffer {
  const fc = pdu[0] ?? 0;
  const a = pdu.length >= 3 ? pdu.readUInt16BE(1) : 0;
  const b = pdu.length >= 5 ? pdu.readUInt16BE(3) : 0;
  switch (fc) {
    case 1:
    case 2: {
      const bytes = Buffer.alloc(Math.ceil(b / 8));
      for (let i = 0; i < b; i++) {
        if (slave.readBit(fc === 1 ? 'coil' : 'discrete_input', a + i, dev))
          bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (1 << (i & 7));
      }
      return Buffer.concat([Buffer.from([fc, bytes.length]), bytes]);
    }
    case 3:
    case 4: {
      if (b < 1 || b > 125) throw modbusError(3, `quantity ${b} outside 1–125`);
      const words = slave.readRegisters(fc === 3 ? 'holding_register' : 'input_register', a, b, dev);
      const out = Buffer.alloc(2 + 2 * b);
      out[0] = fc;
      out[1] = 2 * b;
      words.forEach((w, i) => {
        out.writeUInt16BE(w, 2 + 2 * i);
      });
      return out;
    }
    case 5:
      slave.writeCoil(a, b === 0xff00, dev);
      return Buffer.from(pdu);
    case 6:
      slave.writeRegister(a, b, dev);
      return Buffer.from(pdu);
    case 15:
      for (let i = 0; i < b; i++)
        slave.writeCoil(a + i, (((pdu[6 + (i >> 3)] ?? 0) >> (i & 7)) & 1) === 1, dev);
      return pdu.subarray(0, 5);
    case 16:
      for (let i = 0; i < b; i++) slave.writeRegister(a + i, pdu.readUInt16BE(6 + 2 * i), dev);
      return pdu.subarray(0, 5);
    default:
      throw modbusError(ILLEGAL_FUNCTION, `function ${fc} not supported`);
  }
}

/**
 * Several simulated devices on one RS-485 bus, reached through a virtual serial pair made by
 * socat: the simulator holds one end, masters (our gateway, mbpoll) open `path`. Our own RTU
 * framing rather than modbus-serial's ServerSerial, which frames requests by a fixed silence
 * interval and cannot pace replies: here every reply leaves after the time the request and the
 * reply take on the wire at the bus's baud rate, plus the 3.5-character gap, so a master sees
 * real RS-485 timing. A unit id nobody answers to stays silent, as on a real bus.
 */
export class ModbusRtuSimServer {
  readonly slave: ModbusSlave;
  /** The end masters open. */
  readonly path: string;
  private readonly simPath: string;
  private socat: ChildProcess | undefined;
  private port: SerialPort | undefined;
  private queue: Promise<void> = Promise.resolve();
  private corruptCount = 0;
  /** Characters that crossed the bus: requests addressed to our devices and our replies. */
  wireBytes = 0;
  /** Frames (requests and replies) that crossed the bus. */
  wireFrames = 0;

  constructor(
    readonly options: {
      bus: RtuBus;
      dir: string;
      devices: ServedDevice[];
      log: Logger;
      beforeRequest?: () => void;
    },
  ) {
    this.slave = new ModbusSlave(options);
    this.path = join(options.dir, options.bus.id);
    this.simPath = join(options.dir, `${options.bus.id}.sim`);
  }

  /** Bits per character on this bus (start, data, parity, stop). */
  get bitsPerChar(): number {
    return bitsPerChar(this.options.bus);
  }

  /** Time `bytes` characters take on this bus, ms. */
  private wireTime(bytes: number): number {
    return (bytes * bitsPerChar(this.options.bus) * 1000) / this.options.bus.baud;
  }

  async start(): Promise<void> {
    const { log, bus } = this.options;
    this.socat = spawn('socat', [`pty,raw,echo=0,link=${this.path}`, `pty,raw,echo=0,link=${this.simPath}`], {
      stdio: 'ignore',
    });
    this.socat.once('error', (err) =>
      log.error('socat failed; install the Debian package socat', { error: err.message }),
    );
    const deadline = Date.now() + 5000;
    while (!(existsSync(this.path) && existsSync(this.simPath))) {
      if (Date.now() > deadline || this.socat.exitCode !== null)
        throw new Error(
          `socat did not create the serial pair ${this.path} (is the Debian package socat installed?)`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
    const parity = bus.parity;
    this.port = new SerialPort({
      path: this.simPath,
      baudRate: bus.baud,
      parity,
      stopBits: bus.stop_bits,
      dataBits: 8,
    });
    await new Promise<void>((resolve, reject) => {
      this.port?.once('open', () => resolve());
      this.port?.once('error', reject);
    });
    const reader = new RtuRequestReader();
    this.port.on('data', (chunk: Buffer) => {
      for (const req of reader.push(chunk))
        this.queue = this.queue.then(() => this.handle(req.unit, req.pdu, req.length));
    });
    log.info('modbus rtu sim on serial bus', {
      path: this.path,
      line: `${bus.baud} 8${bus.parity[0]?.toUpperCase()}${bus.stop_bits}`,
      devices: this.options.devices.map((d) => `${d.id}@${d.unitId}`).join(','),
    });
  }

  private handle(unit: number, pdu: Buffer, requestLength: number): Promise<void> {
    const slave = this.slave;
    if (!slave.device(unit)) return Promise.resolve(); // nobody at this address: silence
    return new Promise<void>((resolve) => {
      let settled = false;
      const done = () => {
        if (!settled) {
          settled = true;
          resolve();
        }
      };
      // An offline device never answers; the bus is free again once a master would have timed out.
      const silence = setTimeout(done, 1000);
      slave.answer<Buffer>(
        unit,
        (err, reply) => {
          const fc = pdu[0] ?? 0;
          const body = err
            ? Buffer.from([fc | 0x80, (err as Error & { modbusErrorCode?: number }).modbusErrorCode ?? 4])
            : reply;
          const frame = this.corrupt(unit, rtuFrame(unit, body));
          this.wireBytes += requestLength + frame.length;
          this.wireFrames += 2;
          // The request and the reply each take their time on the wire, then the 3.5-character gap.
          const delay = this.wireTime(requestLength + frame.length + 3.5);
          setTimeout(() => {
            clearTimeout(silence);
            this.port?.write(frame, () => done());
          }, delay);
        },
        (dev) => respond(slave, dev, pdu),
      );
    });
  }

  /** CRC errors and garbage, when the device's faults ask for them. */
  private corrupt(unit: number, frame: Buffer): Buffer {
    const corruption = this.slave.device(unit)?.faults?.corruption;
    if (!corruption) return frame;
    this.corruptCount++;
    if (corruption === 'crc_error') {
      const out = Buffer.from(frame);
      out.writeUInt16LE(crc16(out.subarray(0, out.length - 2)) ^ 0x5a5a, out.length - 2);
      return out;
    }
    // Deterministic line noise of the frame's length.
    return Buffer.from(frame.map((_, i) => (i * 97 + this.corruptCount * 31 + 13) & 0xff));
  }

  async stop(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    if (this.socat && this.socat.exitCode === null) {
      const exited = new Promise<void>((resolve) => this.socat?.once('exit', () => resolve()));
      this.socat.kill('SIGTERM');
      await exited;
    }
  }
}
