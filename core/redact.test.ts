import { describe, expect, it } from 'vitest';
import { redactCredentials, redactDeep } from './redact.ts';

describe('redactCredentials', () => {
  it.each([
    ['mqtt://jn:s3cret@127.0.0.1:1883', 'mqtt://jn:***@127.0.0.1:1883'],
    ['MQTT: mqtts://jn:p%40ss@broker:8883 up', 'MQTT: mqtts://jn:***@broker:8883 up'],
    ['http://admin:a@b@influx:8086/jieneng', 'http://admin:***@influx:8086/jieneng'],
    ['two: mqtt://a:x@h1 http://b:y@h2/db', 'two: mqtt://a:***@h1 http://b:***@h2/db'],
    ['mqtt://:only-pw@h', 'mqtt://:***@h'],
  ])('%s', (text, expected) => {
    expect(redactCredentials(text)).toBe(expected);
  });

  it.each([
    'mqtt://127.0.0.1:1883',
    'mqtt://jieneng@127.0.0.1:1883',
    'http://influx:8086/db@weird',
    'no url here: a:b@c',
  ])('leaves %s alone', (text) => {
    expect(redactCredentials(text)).toBe(text);
  });

  it('redacts every string of a status document, keeping its shape', () => {
    const doc = {
      broker: {
        state: 'running',
        detail: { url: 'mqtt://u:pw@h:1', embedded: false, n: [1, 'http://u:pw@x'] },
      },
    };
    expect(redactDeep(doc)).toEqual({
      broker: {
        state: 'running',
        detail: { url: 'mqtt://u:***@h:1', embedded: false, n: [1, 'http://u:***@x'] },
      },
    });
  });

  it('hides the value of a secret key whatever it is (an MQTT password, command keys)', () => {
    const doc = { mqtt: { user: 'collector', password: 'x9-not-a-url' }, commandKeys: { gw: 'a2V5' }, n: 1 };
    expect(redactDeep(doc)).toEqual({
      mqtt: { user: 'collector', password: '***' },
      commandKeys: '***',
      n: 1,
    });
  });
});
