import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { BrokerGuard, Refusals } from '../core/mqtt/guard.ts';

export interface EmbeddedBroker {
  url: string;
  port: number;
  /** What the guard refused so far. */
  refusals(): Refusals;
  stop(): Promise<void>;
}

/** CONNACK return codes (MQTT 3.1.1): 2 identifier rejected, 4 bad user name or password. */
const IDENTIFIER_REJECTED = 2;
const BAD_CREDENTIALS = 4;

/**
 * Authenticates every client (user, password and client id) and authorizes every PUBLISH,
 * SUBSCRIBE and delivery with `guard` (the site's ACL, core/mqtt/acl.ts). aedes speaks MQTT 3.1.1,
 * which has no PUBACK reason codes: a refused PUBLISH closes the client's connection (MQTT-3.3.5-2),
 * a refused SUBSCRIBE is granted 0x80, a refused delivery is dropped.
 */
function closeBroker(broker: Aedes, guard: BrokerGuard): void {
  const users = new WeakMap<Client, string>();
  const addressOf = (client: Client) => (client.conn as Partial<Socket>).remoteAddress;
  broker.authenticate = (client, username, password, done) => {
    const address = addressOf(client);
    const result = guard.login({ id: client.id, ...(address ? { address } : {}) }, username, password);
    if ('principal' in result) {
      users.set(client, result.principal.user);
      return done(null, true);
    }
    // The broker's log says which id the principal may use; the client learns only that its id is refused.
    const idRefused = result.refused === 'client_id';
    const err = new Error(
      idRefused ? 'identifier rejected' : 'bad user name or password',
    ) as AuthenticateError;
    err.returnCode = idRefused ? IDENTIFIER_REJECTED : BAD_CREDENTIALS;
    done(err, false);
  };
  broker.authorizePublish = (client, packet, done) => {
    // No client: aedes publishing the will of a session it restored (not with its in-memory store).
    if (!client) return done(null);
    if (guard.mayPublish({ id: client.id }, users.get(client), packet.topic)) return done(null);
    done(new Error(`not authorized to publish on ${packet.topic}`));
  };
  broker.authorizeSubscribe = (client, sub, done) => {
    if (guard.maySubscribe({ id: client.id }, users.get(client), sub.topic)) return done(null, sub);
    done(null, null);
  };
  // aedes sends a session's queued messages (and those of subscriptions it restored) without asking
  // authorizeSubscribe: every delivered message passes the receiver's subscribe ACL here.
  broker.authorizeForward = (client, packet) =>
    guard.mayReceive({ id: client.id }, users.get(client), packet.topic) ? packet : null;
}

/**
 * The in-process MQTT broker (aedes) of `jieneng start`, on 127.0.0.1:`port` (0 picks a free port).
 * It is always closed by `guard`: no client gets in without a principal's user, password and one
 * of its client ids, and each may use only its topics (there is no open broker, not even for tests).
 */
export async function startEmbeddedBroker(options: {
  port: number;
  log: Logger;
  guard: BrokerGuard;
}): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  closeBroker(broker, options.guard);
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
  options.log.info('embedded mqtt broker listening', {
    url: `mqtt://127.0.0.1:${port}`,
    authentication: 'per principal (core/mqtt/acl.ts)',
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    refusals: () => ({ ...options.guard.refusals }),
    stop: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
