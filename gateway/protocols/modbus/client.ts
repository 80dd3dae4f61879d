import ModbusRTU from 'modbus-serial';
import type { ModbusConnection } from '../../../core/config/siteSchema.ts';
import { JnError } from '../../../core/errors.ts';
import type { PlannedRead } from './plan.ts';

export type WriteTarget =
  | { table: 'coil'; address: number; bit: boolean }
  | { table: 'holding_register'; address: number; words: number[] };

/** How to open the line: Modbus TCP to host:port, or Modbus RTU on a serial device. */
export type ModbusLine =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'rtu'; path: string; baudRate: number; parity: 'none' | 'even' | 'odd'; stopBits: 1 | 2 };

/**
 * The silent interval Modbus over Serial Line V1.02 §2.5.1.1 requires between frames: 3.5
 * character times of 11 bits, fixed at 1.75 ms above 19200 baud.
 */
export function defaultInterFrameGapMs(baud: number): number {
  return baud > 19200 ? 1.75 : (3.5 * 11 * 1000) / baud;
}

function describeLine(line: ModbusLine): string {
  return line.kind === 'tcp' ? `${line.host}:${line.port}` : `${line.path} (${line.baudRate} baud)`;
}

/**
 * A Modbus connection (modbus-serial) over TCP or an RS-485 serial line that reconnects on
 * demand; one request at a time, which is what a bus needs.
 */
export class ModbusClient {
  private client: ModbusRTU | undefined;
  /** When the last exchange ended (performance.now()), for the inter-frame silence. */
  private lastEnd = 0;

  constructor(
    private readonly options: {
      line: ModbusLine;
      timeoutMs: number;
      /** Silence kept after each exchange before the next request (RS-485), ms. */
      interFrameGapMs?: number;
    },
  ) {}

  /** Waits out the inter-frame silence, then runs one exchange and notes when it ended. */
  private async exchange<T>(run: () => Promise<T>): Promise<T> {
    const gap = this.options.interFrameGapMs ?? 0;
    const wait = this.lastEnd + gap - performance.now();
    if (gap > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));
    try {
      return await run();
    } finally {
      this.lastEnd = performance.now();
    }
  }

  private async connection(): Promise<ModbusRTU> {
    if (this.client?.isOpen) return this.client;
    this.client?.close(() => {});
    const client = new ModbusRTU();
    client.setTimeout(this.options.timeoutMs);
    const line = this.options.line;
    try {
      if (line.kind === 'tcp') await client.connectTCP(line.host, { port: line.port });
      else
        await client.connectRTUBuffered(line.path, {
          baudRate: line.baudRate,
          parity: line.parity,
          stopBits: line.stopBits,
          dataBits: 8,
        });
    } catch (err) {
      throw new JnError(
        'device_unreachable',
        `cannot connect to ${describeLine(line)}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    this.client = client;
    return client;
  }

  /** Executes one planned read on unit `unitId`; returns register words or bits. */
  read(unitId: number, plan: PlannedRead): Promise<number[] | boolean[]> {
    return this.exchange(() => this.readNow(unitId, plan));
  }

  private async readNow(unitId: number, plan: PlannedRead): Promise<number[] | boolean[]> {
    const client = await this.connection();
    client.setID(unitId);
    try {
      switch (plan.table) {
        case 'input_register':
          return (await client.readInputRegisters(plan.start, plan.length)).data;
        case 'holding_register':
          return (await client.readHoldingRegisters(plan.start, plan.length)).data;
        case 'coil':
          return (await client.readCoils(plan.start, plan.length)).data.slice(0, plan.length);
        case 'discrete_input':
          return (await client.readDiscreteInputs(plan.start, plan.length)).data.slice(0, plan.length);
      }
    } catch (err) {
      throw this.failure(err, `read ${plan.table} ${plan.start}+${plan.length} at unit ${unitId}`);
    }
  }

  /** Writes a coil (FC05) or holding registers (FC06 for one, FC16 for several) on unit `unitId`. */
  write(unitId: number, target: WriteTarget): Promise<void> {
    return this.exchange(() => this.writeNow(unitId, target));
  }

  private async writeNow(unitId: number, target: WriteTarget): Promise<void> {
    const client = await this.connection();
    client.setID(unitId);
    try {
      if (target.table === 'coil') await client.writeCoil(target.address, target.bit);
      else if (target.words.length === 1) await client.writeRegister(target.address, target.words[0] ?? 0);
      else await client.writeRegisters(target.address, target.words);
    } catch (err) {
      throw this.failure(err, `write ${target.table} ${target.address} at unit ${unitId}`);
    }
  }

  /** A JnError saying whether the device answered (an exception) or not (timeout, connection). */
  private failure(err: unknown, what: string): JnError {
    const e = err as Error & { modbusCode?: number; errno?: string };
    // A timeout leaves a late reply on the wire: drop the connection so it cannot be taken for the next answer.
    if (e.errno === 'ETIMEDOUT' || e.modbusCode === undefined) this.close();
    const detail = e.modbusCode === undefined ? e.message : `exception ${e.modbusCode} (${e.message})`;
    // An exception is an answer (the device is alive); anything else is no answer at all.
    return new JnError(
      e.modbusCode === undefined ? 'device_no_reply' : 'device_exception',
      `${what}: ${detail}`,
      { cause: err },
    );
  }

  close(): void {
    const c = this.client;
    this.client = undefined;
    if (c?.isOpen) c.close(() => {});
  }
}

/** The client of a site file's Modbus connection: TCP to host:port, or RTU on its serial line. */
export function clientFor(c: ModbusConnection): ModbusClient {
  if (c.protocol === 'modbus_tcp')
    return new ModbusClient({ line: { kind: 'tcp', host: c.host, port: c.port }, timeoutMs: c.timeout });
  const line = {
    kind: 'rtu' as const,
    path: c.path,
    baudRate: c.baud,
    parity: c.parity,
    stopBits: c.stop_bits,
  };
  return new ModbusClient({
    line,
    timeoutMs: c.timeout,
    interFrameGapMs: c.inter_frame_gap ?? defaultInterFrameGapMs(c.baud),
  });
}
