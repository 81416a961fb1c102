import fc from 'fast-check';

/**
 * Generators of hostile input for the fuzz run: what an attacker holding a project key (or none,
 * at /ingest) would send. Everything is built from a seed, so a failing input can be replayed.
 */

/** Strings that have broken parsers, databases and header writers before. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83dy',
  '\r\nX-Injected: 1',
  '\n',
  'é',
  '😀',
  '__proto__',
  'constructor',
  'prototype',
  '../../etc/passwd',
  '%00',
  '%ff',
  '${jndi:ldap://127.0.0.2/a}',
  "'; DROP TABLE events; --",
  '<script>alert(1)</script>',
  'x'.repeat(5000),
  '(a+)+$',
  '^(a|a?)+$',
  '9'.repeat(400),
];

/** URLs that try to reach addresses the egress policy forbids, in every spelling. */
export const SNEAKY_URLS = [
  'http://0x7f000001/',
  'http://2130706433/',
  'http://0177.0.0.1/',
  'http://127.1/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://0.0.0.0/',
  'http://[::]/',
  'http://169.254.169.254/latest/meta-data/',
  'http://10.0.0.1/',
  'http://192.168.0.1/',
  'http://[fd00::1]/',
  'http://localhost./',
  'http://user:pass@127.0.0.2:1/',
  'file:///etc/passwd',
  'gopher://127.0.0.1:6379/_INFO',
  'http://%31%32%37.0.0.1/',
  'http://127.0.0.2:9/hook',
  'javascript:alert(1)',
  'http://',
  '',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', '$regex', '$where', '$or', '$in', ''),
  hostileString,
);

const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(2 ** 53 + 1, -(2 ** 53) - 1, Number.MAX_VALUE, 1e308, -0, 5e-324),
);

/** Any JSON value, with hostile keys, strings and numbers, a few levels deep. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

export const hostileHeaders: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.oneof(
    fc.constantFrom('Host', 'Content-Length', 'Transfer-Encoding', 'X-A', 'x-a', 'Authorization'),
    hostileString,
  ),
  fc.oneof(hostileString, hostileJson),
  { maxKeys: 3 },
);

/** Raw request bodies JSON.stringify cannot make: broken, deep, huge numbers, invalid UTF-8. */
export const hostileRawBody = (valid: string): fc.Arbitrary<Buffer> =>
  fc.oneof(
    fc.constant(Buffer.from(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`)),
    fc.constant(Buffer.from(`${'['.repeat(10_000)}${']'.repeat(10_000)}`)),
    fc.constant(Buffer.from(valid.replace(/\d+/, '123456789012345678901234567890'))),
    fc.constant(Buffer.from(valid.slice(0, Math.floor(valid.length / 2)))),
    fc.constant(Buffer.concat([Buffer.from(valid.slice(0, -1)), Buffer.from([0xc3, 0x28, 0xff])])),
    fc.constant(Buffer.from([0xfe, 0xff, 0x00, 0x7b])),
    fc.constant(Buffer.from('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}')),
    fc.constant(Buffer.from('')),
    fc.constant(Buffer.from('null')),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  );

/** A JSON object with `fields`, each kept, replaced by a hostile value, or left out. */
export function mangled(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  return fc.record(
    Object.fromEntries(
      Object.entries(fields).map(([name, valid]) => [
        name,
        fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: hostileJson }),
      ]),
    ),
    { requiredKeys: [] },
  );
}

/** A query string of list filters, valid names with hostile values and some unknown names. */
export const hostileQuery: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'perPage',
          'direction',
          'next_page_cursor',
          'prev_page_cursor',
          'sort',
          'endpointId',
          'endpointId[]',
          'eventId',
          'eventType',
          'event_type',
          'status',
          'startDate',
          'endDate',
          'ownerId',
          'q',
          'name',
          'type',
          'idempotencyKey',
          'brokerMessageId',
          'sourceId',
        ),
        hostileString,
      ),
      fc.oneof(
        hostileString,
        fc.constantFrom('-1', '0', '1001', '1e9', 'NaN', '2006-01-02T15:04:05', '9999-99-99'),
      ),
    ),
    { maxLength: 4 },
  )
  .chain((pairs) =>
    fc.oneof(
      // Percent-encoded as a client would (byte by byte, so lone surrogates encode too)...
      { weight: 4, arbitrary: fc.constant(pairs.map(([n, v]) => `${percent(n)}=${percent(v)}`)) },
      // ...or raw, broken escapes (`%`, `%zz`) and all.
      { weight: 1, arbitrary: fc.constant(pairs.map(([n, v]) => `${rawQuery(n)}=${rawQuery(v)}`)) },
    ),
  )
  .map((parts) => parts.join('&'));

function percent(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

/** Unescaped, except what would end the query or the request line. */
function rawQuery(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      byte > 0x20 && byte < 0x7f && !'#&= '.includes(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0')}`,
    )
    .join('')
    .concat(value.length % 3 === 0 ? '%' : value.length % 3 === 1 ? '%zz' : '');
}
