import fc from 'fast-check';

/** One request body as sent: its bytes and Content-Type (none: no header), and what kind of mistake it is. */
export interface BadBody {
  kind: string;
  type: string | undefined;
  body: string | Uint8Array;
}

const json = (kind: string, value: unknown): BadBody => ({
  kind,
  type: 'application/json',
  body: JSON.stringify(value),
});
// type null: no Content-Type header at all.
const raw = (kind: string, text: string, type: string | null = 'application/json'): BadBody => ({
  kind,
  type: type ?? undefined,
  body: text,
});

/** A property's JSON Schema as the document gives it (only what the generator reads). */
export interface PropertySchema {
  type?: string | string[];
  anyOf?: PropertySchema[];
  oneOf?: PropertySchema[];
}

/** The JSON types a property allows (integer counts as number); undefined when the document does not say. */
function allowedTypes(p: PropertySchema | undefined): Set<string> | undefined {
  if (!p) return undefined;
  const own = p.type === undefined ? [] : Array.isArray(p.type) ? p.type : [p.type];
  const nested = [...(p.anyOf ?? []), ...(p.oneOf ?? [])].map(allowedTypes);
  if (nested.some((n) => n === undefined) || (own.length === 0 && nested.length === 0)) return undefined;
  const all = [...own, ...nested.flatMap((n) => [...(n ?? [])])];
  return new Set(all.map((t) => (t === 'integer' ? 'number' : t)));
}

const typeOf = (x: unknown) => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x);

/** Values of a JSON type the property does not allow (a number for a string, an object for a number …). */
function otherTypes(p: PropertySchema | undefined): unknown[] {
  const allowed = allowedTypes(p);
  if (!allowed) return [];
  const all: unknown[] = [123456, true, 'text', null, [], {}, [1, 2], { value: 1 }];
  return all.filter((x) => !allowed.has(typeOf(x)));
}

/** Nested arrays `depth` deep, as JSON text (a parser or validator that recurses would overflow). */
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/**
 * Invalid bodies for a route whose valid body is `valid` and whose required fields are `required`
 * (from the OpenAPI document): arbitrary JSON, the example with a required field dropped, a field of
 * the wrong type, huge and NaN-like numbers, 10 k-character strings, deep nesting, `__proto__` keys,
 * other content types and invalid UTF-8. None of them may be accepted.
 */
export function badBodies(
  valid: Record<string, unknown>,
  schema: { required?: readonly string[]; properties?: Record<string, PropertySchema> },
  /** Fields set to huge values the route must refuse by their size (thousands of array elements). */
  large: Record<string, unknown> = {},
): fc.Arbitrary<BadBody> {
  const required = schema.required ?? [];
  const keys = Object.keys(valid);
  // Wrong types only where the document says which types are right (a ledger cell takes text or a number).
  const typed = keys.filter((k) => otherTypes(schema.properties?.[k]).length > 0);
  const withField = (k: string, v: unknown) => ({ ...valid, [k]: v });
  const numbers = keys.filter((k) => typeof valid[k] === 'number');
  const strings = keys.filter((k) => typeof valid[k] === 'string');
  const arbs: fc.Arbitrary<BadBody>[] = [
    // Arbitrary JSON that is not an object with the required fields (a bare value, an array of junk).
    fc
      .jsonValue()
      .filter(
        (v) => typeof v !== 'object' || v === null || Array.isArray(v) || required.some((k) => !(k in v)),
      )
      .map((v) => json('arbitrary JSON', v)),
    fc.constantFrom(...keys).map((k) => json('unknown field', { ...valid, [`${k}_x`]: 1 })),
    fc.constantFrom(
      raw('NaN', '{"value": NaN}'),
      raw('Infinity', '{"value": Infinity}'),
      raw('trailing comma', '{"a": 1,}'),
      raw('empty', ''),
      raw('truncated', JSON.stringify(valid).slice(0, -3)),
      raw('deep array', deepArray(50_000)),
      raw('deep object', deepObject(20_000)),
      raw(
        '__proto__',
        `{"__proto__": {"role": "admin", "accepted": true}, ${JSON.stringify(valid).slice(1, -1)}, "__proto__": 1}`,
      ),
      raw('constructor', JSON.stringify({ ...valid, constructor: { prototype: { admin: true } } })),
      raw('text/plain', JSON.stringify(valid), 'text/plain'),
      raw(
        'form',
        new URLSearchParams(
          Object.entries(valid).map(([k, v]): [string, string] => [k, String(v)]),
        ).toString(),
        'application/x-www-form-urlencoded',
      ),
      raw('xml', '<body/>', 'application/xml'),
      raw(
        'multipart',
        '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
        'multipart/form-data; boundary=x',
      ),
      raw('no content type', JSON.stringify(valid), null),
      raw('latin1', JSON.stringify(valid), 'application/json; charset=latin1'),
      { kind: 'invalid UTF-8', type: 'application/json', body: invalidUtf8(valid) },
    ),
  ];
  const big = Object.keys(large);
  if (big.length > 0)
    arbs.push(fc.constantFrom(...big).map((k) => json(`large ${k}`, withField(k, large[k]))));
  if (typed.length > 0)
    arbs.push(
      fc.tuple(fc.constantFrom(...typed), fc.nat()).map(([k, i]) => {
        const others = otherTypes(schema.properties?.[k]);
        return json(`wrong type ${k}`, withField(k, others[i % others.length]));
      }),
    );
  if (required.length > 0)
    arbs.push(
      fc.constantFrom(...required).map((k) => {
        const { [k]: _dropped, ...rest } = valid;
        return json(`${k} dropped`, rest);
      }),
    );
  // Numbers JSON.stringify cannot write (beyond 2^53, Infinity) go in as text in place of a marker.
  const withText = (k: string, text: string) => JSON.stringify(withField(k, '@v@')).replace('"@v@"', text);
  if (numbers.length > 0)
    arbs.push(
      fc
        .tuple(
          fc.constantFrom(...numbers),
          fc.constantFrom('1e308', '-1e308', '9007199254740993', '-9e15', '1e16'),
        )
        .map(([k, n]) => raw(`huge ${k}`, withText(k, n))),
      fc
        .tuple(fc.constantFrom(...numbers), fc.constantFrom('1e309', '-1e309', '"NaN"', '"Infinity"', '0x10'))
        .map(([k, n]) => raw(`NaN-like ${k}`, withText(k, n))),
    );
  if (strings.length > 0)
    arbs.push(
      fc
        .tuple(fc.constantFrom(...strings), fc.constantFrom('x', '节', '\u0000', '😀'))
        .map(([k, c]) => json(`10k ${k}`, withField(k, c.repeat(10_000)))),
      fc.constantFrom(...strings).map((k) => raw(`nested ${k}`, withText(k, deepArray(5_000)))),
    );
  return fc.oneof(...arbs);
}

/** The valid body with a string's first character replaced by a byte that is not UTF-8. */
function invalidUtf8(valid: Record<string, unknown>): Uint8Array {
  const text = Buffer.from(JSON.stringify(valid), 'utf8');
  const at = text.indexOf(0x22, 2); // inside the first string value
  const out = Buffer.from(text);
  if (at > 0 && at + 1 < out.length) out[at + 1] = 0xff;
  return new Uint8Array(out);
}
