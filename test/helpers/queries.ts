import fc from 'fast-check';

/**
 * Generators of odd HTTP queries and paths for test/apiQueries.test.ts: values a person or a
 * script may send by mistake (impossible and far dates, numbers at the edges, unicode, repeated
 * names, broken percent-encoding).
 */

/** Text that survives encodeURIComponent (no lone surrogates). */
const text = (s: fc.Arbitrary<string>) =>
  s.map((v) =>
    v.replaceAll(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );

/** Odd values: broken and far dates, odd offsets, numbers at the edges, unicode, empty, long. */
export function oddValue(): fc.Arbitrary<string> {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const day = fc.date({ min: new Date('1960-01-01'), max: new Date('2150-01-01'), noInvalidDate: true });
  return fc.oneof(
    { weight: 3, arbitrary: day.map((d) => d.toISOString().slice(0, 10)) },
    fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
      )
      .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
    day.map((d) => d.toISOString()),
    fc
      .tuple(day, fc.integer({ min: -99, max: 99 }), fc.integer({ min: 0, max: 99 }))
      .map(
        ([d, h, m]) =>
          `${d.toISOString().slice(0, 19)}${h < 0 ? '-' : '+'}${pad(Math.abs(h), 2)}:${pad(m, 2)}`,
      ),
    fc.constantFrom(
      '',
      ' ',
      '0',
      '-1',
      '1e308',
      '-1e308',
      'NaN',
      'Infinity',
      '9007199254740993',
      '0x10',
      '1.5',
    ),
    fc.constantFrom(
      '__proto__',
      'constructor',
      'toString',
      'null',
      'undefined',
      'true',
      '[]',
      '{}',
      '%',
      '%zz',
    ),
    fc.integer().map(String),
    fc.double().map(String),
    text(fc.string()),
    text(fc.string({ unit: 'binary', maxLength: 40 })),
    text(fc.string({ minLength: 500, maxLength: 3000 })),
  );
}

/**
 * A query string: each parameter absent, given a value it accepts, an odd value, or given twice
 * (an array) or without a value; then sometimes random names and broken percent-encoding.
 */
export function queryOf(good: Map<string, string[]>): fc.Arbitrary<string> {
  const odd = oddValue();
  const param = [...good].map(([n, ok]) => {
    const value = ok.length > 0 ? fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ok) }, odd) : odd;
    return fc.oneof(
      { weight: 2, arbitrary: fc.constant([] as string[]) },
      { weight: 7, arbitrary: value.map((v) => [`${enc(n)}=${enc(v)}`]) },
      { weight: 1, arbitrary: fc.tuple(value, value).map(([a, b]) => [`${n}=${enc(a)}`, `${n}=${enc(b)}`]) },
      { weight: 1, arbitrary: fc.constant([enc(n)]) },
    );
  });
  const extra = fc.oneof(
    fc.tuple(text(fc.string({ maxLength: 12 })), odd).map(([k, v]) => `${enc(k)}=${enc(v)}`),
    fc.constantFrom(
      'from[gt]=1',
      '__proto__=1',
      'constructor=x',
      '%',
      '%E0%A4%A=1',
      'from=%zz',
      '&&',
      '=',
      '==',
    ),
  );
  return fc
    .tuple(
      fc.tuple(...param),
      fc.oneof({ weight: 6, arbitrary: fc.constant([]) }, fc.array(extra, { maxLength: 3 })),
    )
    .map(([given, more]) => {
      const pairs = [...given.flat(), ...more];
      return pairs.length ? `?${pairs.join('&')}` : '';
    });
}

/** The route's path with each `:param` a known value (a real device or point) or anything. */
export function pathOf(route: string, knownValues: string[]): fc.Arbitrary<string> {
  const parts = route
    .split('/')
    .map((seg) =>
      seg.startsWith(':')
        ? fc.oneof(
            fc.constantFrom(...knownValues).map(enc),
            text(fc.string({ minLength: 1, maxLength: 30 })).map(enc),
            fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '%2F', '%00'),
          )
        : fc.constant(seg),
    );
  return fc.tuple(...parts).map((segs) => segs.join('/'));
}

export const enc = (s: string) => encodeURIComponent(s);
