import { describe, expect, it } from 'vitest';
import { mqttUrlWithEnv } from './credentials.ts';

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
