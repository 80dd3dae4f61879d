import { describe, expect, it } from 'vitest';
import { brokerConnection, mqttUrlWithEnv } from './credentials.ts';

describe('mqttUrlWithEnv', () => {
  it('adds MQTT_PASSWORD to the URL user, encoded', () => {
    expect(mqttUrlWithEnv('mqtt://jn@127.0.0.1:1883', { MQTT_PASSWORD: 'p@ss/wörd' })).toBe(
      'mqtt://jn:p%40ss%2Fw%C3%B6rd@127.0.0.1:1883',
    );
    expect(mqttUrlWithEnv('mqtt://127.0.0.1:1883', { MQTT_PASSWORD: 'x', MQTT_USERNAME: 'jn' })).toBe(
      'mqtt://jn:x@127.0.0.1:1883',
    );
  });
  it('leaves the URL alone without the environment', () => {
    expect(mqttUrlWithEnv('mqtt://a:b@h:1', {})).toBe('mqtt://a:b@h:1');
  });
  it.each([
    [{ MQTT_PASSWORD: 'x' }, 'mqtt://u:y@h:1', /both in the URL and in MQTT_PASSWORD/],
    [{ MQTT_PASSWORD: 'x' }, 'mqtt://h:1', /no MQTT user is given: put it in the URL \(mqtt:\/\/USER@h:1\)/],
    [{ MQTT_USERNAME: 'a' }, 'mqtt://b@h:1', /user "b" in the URL but MQTT_USERNAME is "a"/],
    [{ MQTT_PASSWORD: 'a:b', MQTT_USERNAME: 'u' }, 'mqtt://h:1', /contains ":"/],
  ])('refuses %o with %s', (env, url, message) => {
    expect(() => mqttUrlWithEnv(url, env)).toThrow(message);
    try {
      mqttUrlWithEnv(url, env);
    } catch (err) {
      expect(String(err)).not.toMatch(/:y@/);
    }
  });
});

describe('brokerConnection', () => {
  const site = (tls?: Record<string, string>) =>
    ({
      file: '/etc/jieneng/site.yaml',
      config: { platform: tls ? { mqtt_tls: tls } : {} },
    }) as unknown as Parameters<typeof brokerConnection>[0]['site'];
  const secrets = {
    file: '/etc/jieneng/secrets.yaml',
    mqtt: new Map([['collector', 'pw-of-the-collector']]),
    commandKeys: new Map(),
  };

  it("logs in as the principal with the secrets file's password, never in the URL; TLS files relative to the site", () => {
    expect(
      brokerConnection({
        site: site({ ca_file: 'tls/ca.crt', cert_file: '/pki/c.crt', key_file: 'c.key' }),
        url: 'mqtts://broker:8883',
        user: 'collector',
        secrets,
        env: {},
      }),
    ).toEqual({
      mqttUrl: 'mqtts://broker:8883',
      mqtt: {
        username: 'collector',
        password: 'pw-of-the-collector',
        ca: '/etc/jieneng/tls/ca.crt',
        cert: '/pki/c.crt',
        key: '/etc/jieneng/c.key',
      },
    });
  });

  it('falls back to the environment without a password in the secrets, and refuses two sources', () => {
    expect(
      brokerConnection({
        site: site(),
        url: 'mqtt://h:1',
        user: 'control',
        secrets,
        env: { MQTT_USERNAME: 'jn', MQTT_PASSWORD: 'x' },
      }),
    ).toEqual({ mqttUrl: 'mqtt://jn:x@h:1', mqtt: undefined });
    expect(() =>
      brokerConnection({ site: site(), url: 'mqtt://jn@h:1', user: 'collector', secrets, env: {} }),
    ).toThrow(
      /secrets file \/etc\/jieneng\/secrets\.yaml gives "collector" its password; take the user and password out of the URL/,
    );
  });
});
