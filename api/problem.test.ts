import { describe, expect, it } from 'vitest';
import { BODY_MAX_DEPTH, nestingDepth } from './problem.ts';

const depth = (text: string) => nestingDepth(new TextEncoder().encode(text));

describe('nestingDepth', () => {
  it('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(depth('{}')).toBe(1);
    expect(depth('{"week":{"workday":[{"at":"08:00","value":1}]}}')).toBe(4);
    expect(depth('{"note":"[[[[{{{{"}')).toBe(1);
    expect(depth('{"note":"a \\" [[[["}')).toBe(1);
    expect(depth('"just text"')).toBe(0);
    expect(depth(`${'['.repeat(50_000)}${']'.repeat(50_000)}`)).toBe(50_000);
  });

  it('lets every body a route takes through: a schedule with exceptions nests well below the limit', () => {
    const schedule = {
      id: 'a',
      week: { workday: [{ at: '08:00', value: 1 }] },
      exceptions: [{ from: '2025-10-01', program: [{ at: '00:00', value: null }] }],
    };
    expect(depth(JSON.stringify([schedule]))).toBeLessThan(BODY_MAX_DEPTH / 4);
  });
});
