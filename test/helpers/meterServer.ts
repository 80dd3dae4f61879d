import { ServerTCP } from 'modbus-serial';
import { freePort } from '../servers/process.ts';

/**
 * A Modbus TCP server that is not device-sims: modbus-serial's ServerTCP on a free loopback port,
 * serving fixed float32 values (big-endian, high word first, as an SDM630 does) in the input
 * registers of each unit id, and 0 elsewhere. `set` changes a value while it runs.
 */
export interface MeterServer {
  port: number;
  set(unit: number, address: number, value: number): void;
  stop(): Promise<void>;
}

export async function startMeterServer(values: Record<number, Record<number, number>>): Promise<MeterServer> {
  const registers = new Map<string, number>();
  const set = (unit: number, address: number, value: number) => {
    const b = Buffer.alloc(4);
    b.writeFloatBE(value);
    registers.set(`${unit}:${address}`, b.readUInt16BE(0));
    registers.set(`${unit}:${address + 1}`, b.readUInt16BE(2));
  };
  for (const [unit, points] of Object.entries(values))
    for (const [address, value] of Object.entries(points)) set(Number(unit), Number(address), value);
  const read = (addr: number, length: number, unit: number) =>
    Array.from({ length }, (_, i) => registers.get(`${unit}:${addr + i}`) ?? 0);
  const vector = {
    getMultipleInputRegisters: read,
    getMultipleHoldingRegisters: read,
    getInputRegister: (addr: number, unit: number) => read(addr, 1, unit)[0] ?? 0,
    getHoldingRegister: (addr: number, unit: number) => read(addr, 1, unit)[0] ?? 0,
  };
  const port = await freePort();
  const server = await new Promise<ServerTCP>((resolve, reject) => {
    const s = new ServerTCP(vector, { host: '127.0.0.1', port, unitID: 255 });
    s.on('initialized', () => resolve(s));
    s.on('serverError', (err: Error | null) =>
      reject(new Error(`meter server 127.0.0.1:${port}: ${err?.message}`)),
    );
  });
  return {
    port,
    set,
    stop: async () => {
      for (const sock of server.socks.keys()) sock.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
