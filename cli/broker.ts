import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

export interface EmbeddedBroker {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The in-process MQTT broker (aedes) of `jieneng start`, on 127.0.0.1:`port` (0 picks a free port). */
export async function startEmbeddedBroker(options: { port: number; log: Logger }): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new JnError(
              'port_in_use',
              `MQTT port 127.0.0.1:${options.port} is already in use (another broker?); pick another with --broker-port, or use that broker with --mqtt-url`,
            )
          : err,
      ),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  options.log.info('embedded mqtt broker listening', { url: `mqtt://127.0.0.1:${port}` });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
