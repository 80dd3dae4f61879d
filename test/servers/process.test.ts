import { describe, expect, it } from 'vitest';
import { requireBinary } from './process.ts';

describe('test server setup', () => {
  it('names the Debian package to install when a server binary is missing', () => {
    expect(() => requireBinary('jn-no-such-daemon', 'jn-no-such-package')).toThrow(
      'test setup: "jn-no-such-daemon" is not on PATH. Install the Debian package: apt-get install -y jn-no-such-package',
    );
  });

  it('finds the real servers', () => {
    expect(requireBinary('influxd', 'influxdb')).toMatch(/\/influxd$/);
    expect(requireBinary('mosquitto', 'mosquitto')).toMatch(/\/mosquitto$/);
  });
});
