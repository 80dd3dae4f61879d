import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { IClientOptions } from 'mqtt';
import { errorText, JnError } from '../errors.ts';

/**
 * How a service logs in to the broker and checks it, besides its URL (`mqtt://` or `mqtts://`):
 * user and password (never in the URL, so they are in no log line or process list) and TLS files.
 */
export interface MqttConnection {
  username?: string;
  password?: string;
  /** PEM file of the CA that signed the broker's certificate (default: the system's CAs). */
  ca?: string;
  /** PEM file of this client's certificate, for a broker that asks for one (require_certificate). */
  cert?: string;
  /** PEM file of the client certificate's private key. */
  key?: string;
  /** Check the broker's certificate (default true; false only for a test bench). */
  rejectUnauthorized?: boolean;
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new JnError('config_invalid', `MQTT TLS ${what} "${file}" cannot be read: ${errorText(err)}`, {
      cause: err,
    });
  }
}

/**
 * The mqtt.js options of every jieneng MQTT client (gateway, collector, control, api, tests):
 * `base` (client id, session, will, …) plus the connection's credentials and TLS files. A file that
 * cannot be read is an error naming it, before anything connects.
 */
export function mqttClientOptions(
  connection: MqttConnection | undefined,
  base: IClientOptions = {},
): IClientOptions {
  if (!connection) return base;
  const c = connection;
  if (c.cert && !c.key)
    throw new JnError('config_invalid', `MQTT TLS: certificate "${c.cert}" is given without its key`);
  if (c.key && !c.cert)
    throw new JnError('config_invalid', `MQTT TLS: key "${c.key}" is given without its certificate`);
  return {
    ...base,
    ...(c.username !== undefined ? { username: c.username } : {}),
    ...(c.password !== undefined ? { password: c.password } : {}),
    ...(c.ca ? { ca: readPem(c.ca, 'CA file') } : {}),
    ...(c.cert ? { cert: readPem(c.cert, 'certificate file') } : {}),
    ...(c.key ? { key: readPem(c.key, 'key file') } : {}),
    ...(c.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  };
}

/** The connection as a status or log shows it: the user and the files, never the password. */
export function describeConnection(connection: MqttConnection | undefined): Record<string, string> {
  if (!connection) return {};
  const { username, ca, cert } = connection;
  return {
    ...(username ? { user: username } : {}),
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
  };
}

/**
 * The TLS files of the site's MQTT clients (`platform.mqtt_tls`), as absolute paths (they are
 * relative to the site file); undefined when the site names none.
 */
export function siteTls(site: {
  file: string;
  config: {
    platform: { mqtt_tls?: { ca_file?: string; cert_file?: string; key_file?: string } | undefined };
  };
}): Pick<MqttConnection, 'ca' | 'cert' | 'key'> | undefined {
  const tls = site.config.platform.mqtt_tls;
  if (!tls) return undefined;
  const at = (f: string | undefined) => (f === undefined ? undefined : resolve(dirname(site.file), f));
  const ca = at(tls.ca_file);
  const cert = at(tls.cert_file);
  const key = at(tls.key_file);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}
