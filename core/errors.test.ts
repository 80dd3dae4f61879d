import { describe, expect, it } from 'vitest';
import { errorCatalog, errorCodes, isErrorCode, JnError } from './errors.ts';

describe('error catalog', () => {
  it('gives every code an HTTP error status and a title in both languages', () => {
    for (const code of errorCodes) {
      const info = errorCatalog[code];
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(info.status, code).toBeGreaterThanOrEqual(400);
      expect(info.status, code).toBeLessThan(600);
      expect(info.zh, code).toMatch(/\p{Script=Han}/u);
      expect(info.en, code).toMatch(/^[A-Z]/);
    }
  });

  it('knows its codes, and a JnError carries a Chinese message beside the English one', () => {
    expect(isErrorCode('not_found')).toBe(true);
    expect(isErrorCode('toString')).toBe(false); // own keys only
    expect(isErrorCode('no_such_code')).toBe(false);
    const err = new JnError('not_found', 'no device "x"', { zh: '没有设备 "x"' });
    expect([err.code, err.message, err.zh]).toEqual(['not_found', 'no device "x"', '没有设备 "x"']);
  });
});
