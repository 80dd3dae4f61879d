import type { LoadedSite } from '../core/config/loadedSite.ts';
import { JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { type MqttConnection, siteTls } from '../core/mqtt/connection.ts';
import { redactCredentials } from '../core/redact.ts';
import { loadSecrets, type Secrets } from '../core/secrets.ts';

/**
 * The broker URL with the password from the environment: `MQTT_PASSWORD` (as InfluxDB's token comes
 * from `INFLUX_TOKEN`), so that it is in neither the site file nor the process list. The user is the
 * URL's (`mqtt://jieneng@broker:1883`) or `MQTT_USERNAME`. Giving a password in two places, or two
 * different users, is refused rather than one silently winning.
 */
export function mqttUrlWithEnv(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const password = env.MQTT_PASSWORD;
  const envUser = env.MQTT_USERNAME?.trim() || undefined;
  if (!password && !envUser) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new JnError(
      'usage',
      `MQTT broker "${redactCredentials(url)}" is not a URL (e.g. mqtt://host:1883)`,
    );
  }
  const shown = redactCredentials(url);
  const urlUser = decodeURIComponent(parsed.username) || undefined;
  if (password && parsed.password)
    throw new JnError(
      'usage',
      `MQTT broker ${shown}: a password is both in the URL and in MQTT_PASSWORD; give it in MQTT_PASSWORD only`,
    );
  if (urlUser && envUser && urlUser !== envUser)
    throw new JnError(
      'usage',
      `MQTT broker ${shown}: user "${urlUser}" in the URL but MQTT_USERNAME is "${envUser}"; give one`,
    );
  const user = urlUser ?? envUser;
  if (password && !user)
    throw new JnError(
      'usage',
      `MQTT_PASSWORD is set but no MQTT user is given: put it in the URL (mqtt://USER@${parsed.host}) or in MQTT_USERNAME`,
    );
  // mqtt.js splits the URL's user:password at the last colon, so a colon in the password would
  // turn part of it into the user name.
  if (password?.includes(':'))
    throw new JnError(
      'usage',
      'MQTT_PASSWORD contains ":", which the MQTT client cannot take from a URL; choose one without',
    );
  parsed.username = encodeURIComponent(user ?? '');
  if (password) parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/**
 * How one process of the site reaches the broker as principal `user` (core/mqtt/acl.ts): the URL,
 * and the connection options every MQTT client is built with (core/mqtt/connection.ts). The password
 * is the secrets file's when there is one (`secrets`), else MQTT_USERNAME / MQTT_PASSWORD or the URL
 * as `mqttUrlWithEnv` takes them; the TLS files are the site's `platform.mqtt_tls`.
 */
export function brokerConnection(options: {
  site: LoadedSite;
  url: string;
  user: string;
  secrets?: Secrets | undefined;
  env?: NodeJS.ProcessEnv;
}): { mqttUrl: string; mqtt: MqttConnection | undefined } {
  const { site, url, user, secrets } = options;
  const tls = siteTls(site);
  const password = secrets?.mqtt.get(user);
  if (password === undefined) {
    return { mqttUrl: mqttUrlWithEnv(url, options.env), mqtt: tls };
  }
  const env = options.env ?? process.env;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(url) || env.MQTT_PASSWORD)
    throw new JnError(
      'usage',
      `MQTT broker ${redactCredentials(url)}: the secrets file ${secrets?.file ?? ''} gives "${user}" its password; take the user and password out of the URL and MQTT_PASSWORD`,
    );
  return { mqttUrl: url, mqtt: { ...tls, username: user, password } };
}

/**
 * The broker of a service process (`jieneng gateway|collector|control|api`) as principal `user`:
 * `--mqtt-url`, else the site's `platform.mqtt_url`, else mqtt://127.0.0.1:1883; its password from
 * the site's secrets file (which must then have it), else from the environment.
 */
export function principalBroker(options: {
  site: LoadedSite;
  user: string;
  urlOption?: string | undefined;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}): { mqttUrl: string; mqtt: MqttConnection | undefined } {
  const { site, user } = options;
  const url = options.urlOption ?? site.config.platform.mqtt_url ?? 'mqtt://127.0.0.1:1883';
  const secrets = loadSecrets(site, {
    users: [user],
    log: options.log,
    ...(options.env ? { env: options.env } : {}),
  });
  return brokerConnection({ site, url, user, secrets, ...(options.env ? { env: options.env } : {}) });
}
