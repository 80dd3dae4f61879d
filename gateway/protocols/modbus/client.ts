import ModbusRTU from 'modbus-serial';
import { JnError } from '../../../core/errors.ts';
import type { PlannedRead } from './plan.ts';

/** How to open the line: Modbus TCP to host:port, or Modbus RTU on a serial device. */
export type ModbusLine =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'rtu'; path: string; baudRate: number; parity: 'none' | 'even' | 'odd'; stopBits: 1 | 2 };

function describeLine(line: ModbusLine): string {
  return line.kind === 'tcp' ? `${line.host}:${line.port}` : `${line.path} (${line.baudRate} baud)`;
}

/**
 * A Modbus connection (modbus-serial) over TCP or an RS-485 serial line that reconnects on
 * demand; one request at a time, which is what a bus needs.
 */
export class ModbusClient {
  private client: ModbusRTU | undefined;

  constructor(private readonly options: { line: ModbusLine; timeoutMs: number }) {}

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
  async read(unitId: number, plan: PlannedRead): Promise<number[] | boolean[]> {
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
      const e = err as Error & { modbusCode?: number; errno?: string };
      // A timeout leaves a late reply on the wire: drop the connection so it cannot be taken for the next answer.
      if (e.errno === 'ETIMEDOUT' || e.modbusCode === undefined) this.close();
      const what = e.modbusCode === undefined ? e.message : `exception ${e.modbusCode} (${e.message})`;
      // An exception is an answer (the device is alive); anything else is no answer at all.
      throw new JnError(
        e.modbusCode === undefined ? 'device_no_reply' : 'device_exception',
        `read ${plan.table} ${plan.start}+${plan.length} at unit ${unitId}: ${what}`,
        { cause: err },
      );
    }
  }

  close(): void {
    const c = this.client;
    this.client = undefined;
    if (c?.isOpen) c.close(() => {});
  }
}
