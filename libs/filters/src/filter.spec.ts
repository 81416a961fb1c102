import {
  clearFilterCache,
  compileFilter,
  compileHeadersFilter,
  FilterSyntaxError,
  matchesEventType,
  matchesSubscription,
} from './index';
import { LruCache } from './lru-cache';
import { compileSafeRegex } from './safe-regex';

const order = {
  type: 'order.paid',
  amount: 120,
  currency: 'EUR',
  paid: true,
  tags: ['vip', 'eu'],
  scores: [1, 9],
  note: null,
  customer: { id: 5, email: 'ann@example.com', address: { country: 'FR' } },
  items: [
    { sku: 'A', qty: 1 },
    { sku: 'B', qty: 3 },
  ],
  'app.version': '2.1',
};

type Case = [name: string, filter: unknown, payload: unknown, expected: boolean];

const bodyCases: Case[] = [
  // empty filter
  ['empty filter matches everything', {}, order, true],
  ['empty filter matches a missing body', {}, undefined, true],
  ['null filter matches everything', null, order, true],
  // plain values
  ['string equality', { currency: 'EUR' }, order, true],
  ['string inequality', { currency: 'USD' }, order, false],
  ['number equality', { amount: 120 }, order, true],
  ['no coercion between "120" and 120', { amount: '120' }, order, false],
  ['boolean equality', { paid: true }, order, true],
  ['null matches a null value', { note: null }, order, true],
  ['null does not match a missing field', { absent: null }, order, false],
  ['several fields all must hold', { currency: 'EUR', amount: 1 }, order, false],
  // nesting and dot paths
  ['nested object matches nested fields', { customer: { id: 5 } }, order, true],
  ['nested object is a partial match', { customer: { address: { country: 'FR' } } }, order, true],
  ['nested mismatch', { customer: { id: 6 } }, order, false],
  ['dot path', { 'customer.address.country': 'FR' }, order, true],
  ['dot path inside a nested object', { customer: { 'address.country': 'FR' } }, order, true],
  ['dot path to a missing field', { 'customer.phone': '1' }, order, false],
  ['dot path through a scalar', { 'currency.code': 'EUR' }, order, false],
  ['payload key containing a dot', { 'app.version': '2.1' }, order, true],
  ['nested empty object asks for presence (missing)', { absent: {} }, order, false],
  ['nested empty object asks for presence (present)', { customer: {} }, order, true],
  ['filter on a non-object body', { a: 1 }, 'text', false],
  // arrays and $ wildcards
  ['array contains the scalar', { tags: 'vip' }, order, true],
  ['array does not contain the scalar', { tags: 'us' }, order, false],
  ['literal array means deep equality', { tags: ['vip', 'eu'] }, order, true],
  ['literal array order matters', { tags: ['eu', 'vip'] }, order, false],
  ['numeric segment indexes an array', { 'items.1.sku': 'B' }, order, true],
  ['index out of range', { 'items.5.sku': 'B' }, order, false],
  ['$ wildcard: some element matches', { 'items.$.sku': 'B' }, order, true],
  ['$ wildcard: no element matches', { 'items.$.sku': 'Z' }, order, false],
  ['$ wildcard with an operator', { 'items.$.qty': { $gte: 3 } }, order, true],
  [
    '$ wildcard: conditions must hold on one element',
    { 'items.$': { sku: 'A', qty: 3 } },
    order,
    false,
  ],
  ['$ wildcard: one element satisfies all', { 'items.$': { sku: 'B', qty: 3 } }, order, true],
  ['$ wildcard on a non-array', { 'customer.$.id': 5 }, order, false],
  [
    'nested $ wildcards',
    { 'orders.$.lines.$.sku': 'X' },
    { orders: [{ lines: [{ sku: 'Y' }] }, { lines: [{ sku: 'X' }] }] },
    true,
  ],
  // $eq / $neq
  ['$eq scalar', { amount: { $eq: 120 } }, order, true],
  [
    '$eq object is exact deep equality (extra keys fail)',
    { customer: { $eq: { id: 5 } } },
    order,
    false,
  ],
  ['$eq object exact match', { 'customer.address': { $eq: { country: 'FR' } } }, order, true],
  ['$neq different value', { currency: { $neq: 'USD' } }, order, true],
  ['$neq same value', { currency: { $neq: 'EUR' } }, order, false],
  ['$neq on an array containing the value', { tags: { $neq: 'vip' } }, order, false],
  ['$neq on a missing field fails', { absent: { $neq: 'x' } }, order, false],
  // comparisons
  ['$gt number', { amount: { $gt: 100 } }, order, true],
  ['$gt boundary', { amount: { $gt: 120 } }, order, false],
  ['$gte boundary', { amount: { $gte: 120 } }, order, true],
  ['$lt boundary', { amount: { $lt: 120 } }, order, false],
  ['$lte boundary', { amount: { $lte: 120 } }, order, true],
  ['range with $gt and $lt', { amount: { $gt: 100, $lt: 200 } }, order, true],
  ['range out of bounds', { amount: { $gt: 100, $lt: 110 } }, order, false],
  ['$gt strings compare as strings', { currency: { $gt: 'DKK' } }, order, true],
  [
    'ISO dates compare as strings',
    { at: { $gte: '2024-01-01' } },
    { at: '2024-06-30T10:00:00Z' },
    true,
  ],
  ['$gt never compares a string with a number', { currency: { $gt: 1 } }, order, false],
  ['$lt never coerces a numeric string', { price: { $lt: 10 } }, { price: '5' }, false],
  ['$gt on a missing field', { absent: { $gt: 1 } }, order, false],
  ['$gt on an array: any element', { scores: { $gt: 5 } }, order, true],
  // $in / $nin
  ['$in scalar', { currency: { $in: ['USD', 'EUR'] } }, order, true],
  ['$in no match', { currency: { $in: ['USD'] } }, order, false],
  ['$in is type-strict', { amount: { $in: ['120'] } }, order, false],
  ['$in array payload overlaps', { tags: { $in: ['us', 'eu'] } }, order, true],
  ['$in array payload no overlap', { tags: { $in: ['us'] } }, order, false],
  ['$in with object options', { 'customer.address': { $in: [{ country: 'FR' }] } }, order, true],
  ['$in on a missing field', { absent: { $in: ['x'] } }, order, false],
  ['$nin not listed', { currency: { $nin: ['USD'] } }, order, true],
  ['$nin listed', { currency: { $nin: ['EUR'] } }, order, false],
  ['$nin array payload overlaps', { tags: { $nin: ['eu'] } }, order, false],
  ['$nin on a missing field fails', { absent: { $nin: ['x'] } }, order, false],
  // $exist
  ['$exist true on a present field', { customer: { $exist: true } }, order, true],
  ['$exist true on a null value', { note: { $exist: true } }, order, true],
  ['$exist true on a missing field', { absent: { $exist: true } }, order, false],
  ['$exist false on a missing field', { 'customer.phone': { $exist: false } }, order, true],
  ['$exist false on a present field', { customer: { $exist: false } }, order, false],
  [
    '$exist false plus a comparison on a missing field',
    { absent: { $exist: false, $eq: 'x' } },
    order,
    false,
  ],
  ['$exist does not see prototype properties', { constructor: { $exist: true } }, order, false],
  ['$exist false on a missing body', { a: { $exist: false } }, undefined, true],
  // $regex
  ['$regex match', { 'customer.email': { $regex: '@example\\.com$' } }, order, true],
  ['$regex no match', { 'customer.email': { $regex: '^bob' } }, order, false],
  ['$regex RE2 inline flag', { currency: { $regex: '(?i)^eur$' } }, order, true],
  ['$regex on an array: any string element', { tags: { $regex: '^v' } }, order, true],
  ['$regex on a number never matches', { amount: { $regex: '120' } }, order, false],
  [
    '$regex tests only the first 4096 characters',
    { text: { $regex: 'needle' } },
    { text: `${'x'.repeat(5000)}needle` },
    false,
  ],
  // $or / $and
  ['top-level $or, second branch', { $or: [{ currency: 'USD' }, { amount: 120 }] }, order, true],
  ['top-level $or, no branch', { $or: [{ currency: 'USD' }, { amount: 1 }] }, order, false],
  [
    'top-level $and, all hold',
    { $and: [{ currency: 'EUR' }, { amount: { $gt: 100 } }] },
    order,
    true,
  ],
  [
    'top-level $and, one fails',
    { $and: [{ currency: 'EUR' }, { amount: { $gt: 500 } }] },
    order,
    false,
  ],
  [
    '$or with sibling fields',
    { currency: 'EUR', $or: [{ amount: 1 }, { tags: 'vip' }] },
    order,
    true,
  ],
  ['$or with a failing sibling', { currency: 'USD', $or: [{ amount: 120 }] }, order, false],
  [
    '$or inside $and',
    { $and: [{ $or: [{ currency: 'USD' }, { currency: 'EUR' }] }, { 'customer.id': 5 }] },
    order,
    true,
  ],
  [
    '$and inside $or',
    {
      $or: [
        { $and: [{ currency: 'EUR' }, { amount: 1 }] },
        { $and: [{ paid: true }, { tags: 'eu' }] },
      ],
    },
    order,
    true,
  ],
  [
    '$or under a field is relative to it',
    { customer: { $or: [{ id: 6 }, { 'address.country': 'FR' }] } },
    order,
    true,
  ],
  [
    '$or inside a $ wildcard element',
    { 'items.$': { $or: [{ sku: 'Z' }, { qty: { $gt: 2 } }] } },
    order,
    true,
  ],
  [
    '$or branch with a missing field fails',
    { $or: [{ type: 'order.paid', absent: 'x' }, { type: 'refund' }] },
    order,
    false,
  ],
  ['$and: [] is true', { $and: [] }, order, true],
  ['$or: [] is false', { $or: [] }, order, false],
];

describe('compileFilter', () => {
  it.each(bodyCases)('%s', (_name, filter, payload, expected) => {
    expect(compileFilter(filter).matches(payload)).toBe(expected);
  });

  it('marks empty filters so callers can skip parsing the body', () => {
    expect(compileFilter({}).matchesEverything).toBe(true);
    expect(compileFilter({ a: 1 }).matchesEverything).toBe(false);
  });
});

const headers = {
  'Content-Type': 'application/json',
  'X-Tenant': ['acme', 'globex'],
  'x-retry': '2',
};

const headerCases: Case[] = [
  ['header names are case-insensitive', { 'x-tenant': 'acme' }, headers, true],
  ['upper-case name in the filter', { 'CONTENT-TYPE': 'application/json' }, headers, true],
  ['header values are case-sensitive', { 'content-type': 'APPLICATION/JSON' }, headers, false],
  ['multi-valued header contains the value', { 'X-Tenant': 'globex' }, headers, true],
  ['$in on a multi-valued header', { 'x-tenant': { $in: ['initech', 'acme'] } }, headers, true],
  ['$nin on a multi-valued header', { 'x-tenant': { $nin: ['acme'] } }, headers, false],
  ['$regex on a header', { 'content-type': { $regex: '^application/' } }, headers, true],
  ['header values are strings: no coercion', { 'x-retry': 2 }, headers, false],
  ['$exist false on a missing header', { 'x-missing': { $exist: false } }, headers, true],
  ['$or across headers', { $or: [{ 'x-retry': '9' }, { 'X-TENANT': 'globex' }] }, headers, true],
  ['both spellings of a name are kept', { 'x-a': 'two' }, { 'X-A': 'one', 'x-a': 'two' }, true],
  ['missing headers object', { 'x-a': 'one' }, undefined, false],
];

describe('compileHeadersFilter', () => {
  it.each(headerCases)('%s', (_name, filter, payload, expected) => {
    expect(compileHeadersFilter(filter).matches(payload)).toBe(expected);
  });
});

type ErrorCase = [name: string, filter: unknown, path: string, reason: string];

const deep: Record<string, unknown> = {};
let cursor = deep;
for (let i = 0; i < 40; i++) {
  const next: Record<string, unknown> = {};
  cursor.a = next;
  cursor = next;
}
cursor.a = 1;

const syntaxErrors: ErrorCase[] = [
  ['filter that is not an object', ['a'], '', 'must be a JSON object'],
  ['unknown operator at the root', { $foo: 1 }, '$foo', 'unknown operator "$foo"'],
  [
    'unknown operator nested',
    { data: { amount: { $gtx: 1 } } },
    'data.amount.$gtx',
    'unknown operator',
  ],
  [
    'unknown operator inside $or',
    { $or: [{ a: 1 }, { b: { $nope: 1 } }] },
    '$or[1].b.$nope',
    'unknown operator',
  ],
  ['$in needs an array', { a: { $in: 'x' } }, 'a.$in', '$in needs an array'],
  ['$nin needs an array', { a: { $nin: 1 } }, 'a.$nin', '$nin needs an array'],
  ['$or needs an array', { $or: { a: 1 } }, '$or', 'array of filter objects'],
  ['$and needs objects', { $and: [{ a: 1 }, 2] }, '$and[1]', 'array of filter objects'],
  ['$exist needs a boolean', { a: { $exist: 'yes' } }, 'a.$exist', 'true or false'],
  ['$gt needs a number or string', { a: { $gt: { b: 1 } } }, 'a.$gt', 'number or a string'],
  ['$regex needs a string', { a: { $regex: 1 } }, 'a.$regex', 'string pattern'],
  ['$regex must compile', { a: { $regex: '(unclosed' } }, 'a.$regex', 'missing ")"'],
  ['$regex length is bounded', { a: { $regex: 'a'.repeat(300) } }, 'a.$regex', 'longer than 256'],
  [
    '$regex nested quantifier (a+)+',
    { a: { $regex: '^(a+)+$' } },
    'a.$regex',
    'nested quantifiers',
  ],
  ['$regex nested quantifier (a*)*', { a: { $regex: '(a*)*b' } }, 'a.$regex', 'nested quantifiers'],
  [
    '$regex ambiguous alternation (a|a)*',
    { a: { $regex: '(a|a)*' } },
    'a.$regex',
    'repeated alternation',
  ],
  ['$regex backreference', { a: { $regex: '(a)\\1' } }, 'a.$regex', 'backreferences'],
  ['$regex lookahead', { a: { $regex: 'a(?=b)' } }, 'a.$regex', 'lookaround'],
  ['$regex program size is bounded', { a: { $regex: 'a{300}' } }, 'a.$regex', 'too complex'],
  ['empty path segment', { 'a..b': 1 }, 'a..b', 'empty segment'],
  ['filter nested too deep', deep, `${'a.'.repeat(32)}a`, 'deeper than 32'],
  ['non-JSON literal', { a: undefined }, 'a', 'must be JSON'],
];

describe('filter syntax errors', () => {
  it.each(syntaxErrors)('%s', (_name, filter, path, reason) => {
    let error: unknown;
    try {
      compileFilter(filter);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FilterSyntaxError);
    expect((error as FilterSyntaxError).path).toBe(path);
    expect((error as FilterSyntaxError).reason).toContain(reason);
  });

  it('names the path in the message', () => {
    expect(() => compileFilter({ data: { $bad: 1 } })).toThrow(
      'unknown operator "$bad" (at "data.$bad")',
    );
  });
});

type RegexCase = [pattern: string, input: string, expected: boolean];

const regexCases: RegexCase[] = [
  ['^a.c$', 'abc', true],
  ['^a.c$', 'a\nc', false],
  ['(?s)^a.c$', 'a\nc', true],
  ['^b', 'a\nb', false],
  ['(?m)^b', 'a\nb', true],
  ['abc$', 'abc\n', false],
  ['\\bcat\\b', 'a cat!', true],
  ['\\bcat\\b', 'concat', false],
  ['\\d{3}-\\d{4}', 'call 555-1234', true],
  ['^[[:upper:]][[:lower:]]+$', 'Paris', true],
  ['^[^0-9]+$', 'abc1', false],
  ['(?i)HELLO', 'say hello', true],
  ['(?i:A)b', 'Ab', true],
  ['(?i:A)b', 'AB', false],
  ['(?P<word>foo|bar)+baz', 'foobarbaz', true],
  ['^\\p{L}+$', 'Ünïcödé', true],
  ['^.$', '😀', true],
  ['^\\x41\\x{42}$', 'AB', true],
  ['^a{2,3}$', 'aaaa', false],
  ['^(ab){2}$', 'abab', true],
  ['', 'anything', true],
  ['^$', '', true],
  ['x*', '', true],
];

describe('$regex engine', () => {
  it.each(regexCases)('/%s/ on %j is %s', (pattern, input, expected) => {
    expect(compileSafeRegex(pattern).test(input)).toBe(expected);
  });

  it('stays linear on patterns that make backtracking engines explode', () => {
    // V8 needs minutes for these on 4 KB of input; the NFA/DFA answers in milliseconds.
    const input = 'a'.repeat(100_000);
    for (const pattern of ['.*.*.*x', '^a*a*a*x', '(a|b)+x', '(?:[a-z]{200})x']) {
      expect(compileSafeRegex(pattern).test(input)).toBe(false);
    }
  });
});

type EventTypeCase = [patterns: string[], eventType: string, expected: boolean];

const eventTypeCases: EventTypeCase[] = [
  [['*'], 'anything.at.all', true],
  [['invoice.paid'], 'invoice.paid', true],
  [['invoice.paid'], 'invoice.created', false],
  [['invoice.*'], 'invoice.paid', true],
  [['invoice.*'], 'invoice.x.y', true],
  [['invoice.*'], 'invoice', false],
  [['invoice.*'], 'invoice.', false],
  [['invoice.*'], 'invoices.paid', false],
  [['user.created', 'invoice.*'], 'invoice.paid', true],
  [[], 'invoice.paid', false],
  [['Invoice.Paid'], 'invoice.paid', false],
];

describe('matchesEventType', () => {
  it.each(eventTypeCases)('%j selects %s: %s', (patterns, eventType, expected) => {
    expect(matchesEventType(patterns, eventType)).toBe(expected);
  });
});

describe('matchesSubscription', () => {
  beforeEach(() => {
    clearFilterCache();
  });

  const subscription = {
    eventTypes: ['order.*'],
    headersFilter: { 'x-tenant': 'acme' },
    bodyFilter: { amount: { $gte: 100 } },
  };

  it('checks event type, headers and body', () => {
    const event = { eventType: 'order.paid', headers: { 'X-Tenant': 'acme' }, body: order };
    expect(matchesSubscription(subscription, event)).toBe(true);
    expect(matchesSubscription(subscription, { ...event, eventType: 'user.created' })).toBe(false);
    expect(matchesSubscription(subscription, { ...event, headers: { 'x-tenant': 'other' } })).toBe(
      false,
    );
    expect(matchesSubscription(subscription, { ...event, body: { amount: 5 } })).toBe(false);
  });

  it('defaults missing or empty event types to "*" and ignores empty filters', () => {
    expect(
      matchesSubscription(
        { eventTypes: [], headersFilter: {}, bodyFilter: {} },
        { eventType: 'x' },
      ),
    ).toBe(true);
    expect(matchesSubscription({ bodyFilter: null }, { eventType: 'x', body: undefined })).toBe(
      true,
    );
  });

  it('compiles equal filters once, whatever the object', () => {
    const a = { bodyFilter: { currency: 'EUR' } };
    const b = { bodyFilter: { currency: 'EUR' } };
    expect(matchesSubscription(a, { eventType: 'x', body: order })).toBe(true);
    expect(matchesSubscription(b, { eventType: 'x', body: { currency: 'USD' } })).toBe(false);
  });

  it('throws the same FilterSyntaxError for an invalid stored filter every time', () => {
    const bad = { bodyFilter: { a: { $nope: 1 } } };
    expect(() => matchesSubscription(bad, { eventType: 'x', body: {} })).toThrow(FilterSyntaxError);
    expect(() => matchesSubscription(bad, { eventType: 'x', body: {} })).toThrow(FilterSyntaxError);
  });
});

describe('LruCache', () => {
  it('keeps at most maxEntries and evicts the least recently used', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });
});

describe('compile once, run many', () => {
  it('matches 100k payloads with one compiled filter', () => {
    const filter = compileFilter({
      'items.$.sku': { $in: ['B', 'C'] },
      'customer.email': { $regex: '@example\\.com$' },
      $or: [{ currency: 'EUR' }, { amount: { $gt: 1000 } }],
    });
    let matched = 0;
    for (let i = 0; i < 100_000; i++) {
      if (filter.matches({ ...order, amount: i })) matched++;
    }
    expect(matched).toBe(100_000);
  });
});
