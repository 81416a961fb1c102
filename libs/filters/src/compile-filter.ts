import { FilterSyntaxError } from './filter-syntax-error';
import { compileSafeRegex, type SafeRegex } from './safe-regex';
import { deepEqual, isPlainObject, type PlainObject } from './values';

/** A validated filter, compiled once into closures and run many times. */
export interface CompiledFilter {
  /** Whether the payload (a parsed JSON body, or a headers object) passes the filter. */
  readonly matches: (payload: unknown) => boolean;
  /** True for an empty filter: callers may skip parsing the payload at all. */
  readonly matchesEverything: boolean;
}

export const FILTER_OPERATORS = [
  '$eq',
  '$neq',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$or',
  '$and',
  '$exist',
  '$regex',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** Deeper filters are refused so a hostile document cannot blow the stack while compiling. */
export const MAX_FILTER_DEPTH = 32;

/** A predicate on the value found at a path; `undefined` means the field is missing. */
type Test = (value: unknown) => boolean;

interface Context {
  /** Header names are case-insensitive: field path segments are lower-cased. */
  readonly lowerCaseKeys: boolean;
}

const always: Test = () => true;
const present: Test = (value) => value !== undefined;

function isOperator(name: string): name is FilterOperator {
  return (FILTER_OPERATORS as readonly string[]).includes(name);
}

/** `$` alone and `$.x` are path wildcards, anything else starting with `$` must be an operator. */
function isOperatorKey(key: string): boolean {
  return key.startsWith('$') && key !== '$' && !key.startsWith('$.');
}

function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * Equality as subscriptions mean it: deep equality, or, when the payload holds an array, that the
 * array contains the value (`{"tags": "vip"}` matches `tags: ["new", "vip"]`). No type coercion.
 */
function equalityTest(expected: unknown): Test {
  if (expected === null || typeof expected !== 'object') {
    return (value) => value === expected || (Array.isArray(value) && value.includes(expected));
  }
  return (value) => {
    if (value === undefined) return false;
    if (deepEqual(value, expected)) return true;
    if (!Array.isArray(value)) return false;
    for (const element of value) if (deepEqual(element, expected)) return true;
    return false;
  };
}

function inTest(options: readonly unknown[]): Test {
  if (options.every((option) => option === null || typeof option !== 'object')) {
    const set = new Set(options);
    return (value) => {
      if (value === undefined) return false;
      if (set.has(value)) return true;
      if (!Array.isArray(value)) return false;
      for (const element of value) if (set.has(element)) return true;
      return false;
    };
  }
  const tests = options.map(equalityTest);
  return (value) => value !== undefined && tests.some((test) => test(value));
}

type Comparison = '$gt' | '$gte' | '$lt' | '$lte';

function compares(op: Comparison, actual: number | string, bound: number | string): boolean {
  switch (op) {
    case '$gt':
      return actual > bound;
    case '$gte':
      return actual >= bound;
    case '$lt':
      return actual < bound;
    case '$lte':
      return actual <= bound;
  }
}

/** Numbers compare with numbers and strings with strings (code unit order); an array if any element does. */
function comparisonTest(op: Comparison, bound: number | string): Test {
  const kind = typeof bound;
  const one = (value: unknown): boolean =>
    typeof value === kind && compares(op, value as number | string, bound);
  return (value) => {
    if (one(value)) return true;
    if (!Array.isArray(value)) return false;
    for (const element of value) if (one(element)) return true;
    return false;
  };
}

function regexTest(regex: SafeRegex): Test {
  return (value) => {
    if (typeof value === 'string') return regex.test(value);
    if (!Array.isArray(value)) return false;
    for (const element of value)
      if (typeof element === 'string' && regex.test(element)) return true;
    return false;
  };
}

function all(tests: readonly Test[]): Test {
  const [first, second] = tests;
  if (first === undefined) return always;
  if (second === undefined) return first;
  if (tests.length === 2) return (value) => first(value) && second(value);
  return (value) => {
    for (const test of tests) if (!test(value)) return false;
    return true;
  };
}

function any(tests: readonly Test[]): Test {
  if (tests.length === 1 && tests[0] !== undefined) return tests[0];
  return (value) => {
    for (const test of tests) if (test(value)) return true;
    return false;
  };
}

function compileOperator(
  op: FilterOperator,
  operand: unknown,
  path: string,
  depth: number,
  ctx: Context,
): Test {
  switch (op) {
    case '$eq':
      assertJson(operand, path, depth + 1);
      return equalityTest(operand);
    case '$neq': {
      assertJson(operand, path, depth + 1);
      const eq = equalityTest(operand);
      return (value) => value !== undefined && !eq(value);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (!(
        typeof operand === 'string' ||
        (typeof operand === 'number' && Number.isFinite(operand))
      )) {
        throw new FilterSyntaxError(path, `${op} needs a number or a string`);
      }
      return comparisonTest(op, operand);
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand)) throw new FilterSyntaxError(path, `${op} needs an array`);
      assertJson(operand, path, depth + 1);
      const test = inTest(operand);
      return op === '$in' ? test : (value) => value !== undefined && !test(value);
    }
    case '$exist':
      if (typeof operand !== 'boolean')
        throw new FilterSyntaxError(path, '$exist needs true or false');
      return operand ? present : (value) => value === undefined;
    case '$regex': {
      if (typeof operand !== 'string')
        throw new FilterSyntaxError(path, '$regex needs a string pattern');
      try {
        return regexTest(compileSafeRegex(operand));
      } catch (error) {
        throw new FilterSyntaxError(
          path,
          `$regex: ${error instanceof Error ? error.message : 'invalid pattern'}`,
        );
      }
    }
    case '$or':
    case '$and': {
      if (!Array.isArray(operand))
        throw new FilterSyntaxError(path, `${op} needs an array of filter objects`);
      const tests = operand.map((clause: unknown, index) => {
        const clausePath = `${path}[${index}]`;
        if (!isPlainObject(clause))
          throw new FilterSyntaxError(clausePath, `${op} needs an array of filter objects`);
        return compileDocument(clause, clausePath, depth + 1, ctx);
      });
      // Vacuous truth, as in Convoy: `$and: []` passes and `$or: []` fails.
      return op === '$and' ? all(tests) : any(tests);
    }
  }
}

interface Step {
  readonly key: string;
  /** The segment as an array index, or -1. */
  readonly index: number;
  readonly wildcard: boolean;
  /** This segment joined with the following ones, for payload keys that contain dots. */
  readonly joined: readonly string[];
}

function parsePath(key: string, path: string, ctx: Context): Step[] {
  const segments = key.split('.');
  if (segments.some((segment) => segment === '')) {
    throw new FilterSyntaxError(path, `field path "${key}" has an empty segment`);
  }
  const keys = ctx.lowerCaseKeys ? segments.map((segment) => segment.toLowerCase()) : segments;
  return keys.map((segment, i) => {
    const joined: string[] = [];
    let literal = segment;
    for (let j = i + 1; j < keys.length && keys[j] !== '$' && segment !== '$'; j++) {
      literal += `.${keys[j] ?? ''}`;
      joined.push(literal);
    }
    return {
      key: segment,
      index: /^(0|[1-9]\d{0,8})$/.test(segment) ? Number(segment) : -1,
      wildcard: segment === '$',
      joined,
    };
  });
}

/**
 * Applies `test` to the value at a path. `$` means "some element of the array here" (the rest of
 * the condition must hold for one element); a numeric segment indexes an array; a missing field,
 * or a segment that does not fit the value (a key on a string, `$` on an object), hands
 * `undefined` to the test so that only `$exist: false` passes. Payload keys containing dots
 * (`"app.version"`) are still found by the dotted path, as in Convoy's flattened payloads.
 */
function pathTest(steps: readonly Step[], test: Test): Test {
  const walk = (node: unknown, i: number): boolean => {
    const step = steps[i];
    if (step === undefined) return test(node);
    if (step.wildcard) {
      if (!Array.isArray(node)) return test(undefined);
      for (const element of node) if (walk(element, i + 1)) return true;
      return false;
    }
    if (Array.isArray(node)) {
      return step.index >= 0 && step.index < node.length
        ? walk(node[step.index], i + 1)
        : test(undefined);
    }
    if (typeof node !== 'object' || node === null) return test(undefined);
    const object = node as PlainObject;
    // Own properties only: `constructor` or `__proto__` must not resolve through the prototype.
    if (Object.hasOwn(object, step.key)) return walk(object[step.key], i + 1);
    for (let j = 0; j < step.joined.length; j++) {
      const literal = step.joined[j];
      if (literal !== undefined && Object.hasOwn(object, literal))
        return walk(object[literal], i + j + 2);
    }
    return test(undefined);
  };
  return (value) => walk(value, 0);
}

/**
 * A filter object: every entry must hold. Operator keys apply to the value at hand; other keys are
 * field paths relative to it, whose value is a nested filter object (nested fields, operators) or
 * a literal to compare for equality.
 */
function compileDocument(doc: PlainObject, path: string, depth: number, ctx: Context): Test {
  if (depth > MAX_FILTER_DEPTH)
    throw new FilterSyntaxError(path, `filter is nested deeper than ${MAX_FILTER_DEPTH} levels`);
  const tests: Test[] = [];
  for (const key of Object.keys(doc)) {
    const value = doc[key];
    const keyPath = childPath(path, key);
    if (isOperatorKey(key)) {
      if (!isOperator(key)) throw new FilterSyntaxError(keyPath, `unknown operator "${key}"`);
      tests.push(compileOperator(key, value, keyPath, depth, ctx));
      continue;
    }
    const steps = parsePath(key, keyPath, ctx);
    let valueTest: Test;
    if (isPlainObject(value)) {
      // `{"customer": {}}` still asks for the field to be there (as Convoy does).
      valueTest =
        Object.keys(value).length === 0 ? present : compileDocument(value, keyPath, depth + 1, ctx);
    } else {
      assertJson(value, keyPath, depth + 1);
      valueTest = equalityTest(value);
    }
    tests.push(pathTest(steps, valueTest));
  }
  return all(tests);
}

/**
 * Literals are compared with deepEqual, so they must be JSON (filters built in code could hold
 * `undefined`, which would then "equal" a missing field) and bounded in depth.
 */
function assertJson(value: unknown, path: string, depth: number): void {
  if (depth > MAX_FILTER_DEPTH)
    throw new FilterSyntaxError(path, `filter is nested deeper than ${MAX_FILTER_DEPTH} levels`);
  if (Array.isArray(value)) {
    for (const element of value) assertJson(element, path, depth + 1);
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) assertJson(value[key], path, depth + 1);
  } else if (!(
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  )) {
    throw new FilterSyntaxError(
      path,
      'values must be JSON (string, finite number, boolean, null, array, object)',
    );
  }
}

const MATCH_EVERYTHING: CompiledFilter = { matches: () => true, matchesEverything: true };

function compileRoot(
  filter: unknown,
  ctx: Context,
  prepare?: (payload: unknown) => unknown,
): CompiledFilter {
  if (filter === null || filter === undefined) return MATCH_EVERYTHING;
  if (!isPlainObject(filter)) throw new FilterSyntaxError('', 'a filter must be a JSON object');
  if (Object.keys(filter).length === 0) return MATCH_EVERYTHING;
  const test = compileDocument(filter, '', 0, ctx);
  return {
    matches: prepare === undefined ? test : (payload) => test(prepare(payload)),
    matchesEverything: false,
  };
}

/**
 * Compiles a body filter (Convoy's subscription filter language). Throws FilterSyntaxError for
 * unknown operators, bad operands and refused regexes. `{}`, `null` and `undefined` match
 * everything. The filter object is read once; later changes to it are not seen.
 */
export function compileFilter(filter: unknown): CompiledFilter {
  return compileRoot(filter, { lowerCaseKeys: false });
}

let lastHeaders: object | undefined;
let lastNormalized: unknown;
const UPPER_CASE = /[A-Z]/;

/**
 * Header names lower-cased, values as given (a string or a list of strings). The dispatcher checks
 * one event's headers against all its subscriptions in a row, so remembering the last headers
 * object normalises once per event (a WeakMap costs more than it saves here). Headers must not
 * be mutated while they are being matched.
 */
function normalizeHeaders(headers: unknown): unknown {
  if (!isPlainObject(headers)) return headers;
  if (headers === lastHeaders) return lastNormalized;
  let normalized: PlainObject = headers;
  const keys = Object.keys(headers);
  if (keys.some((key) => UPPER_CASE.test(key))) {
    normalized = Object.create(null) as PlainObject;
    for (const key of keys) {
      const name = key.toLowerCase();
      const value = headers[key];
      const previous = normalized[name];
      // `X-A` and `x-a` both present: keep every value rather than pick one.
      normalized[name] = previous === undefined ? value : [previous, value].flat();
    }
  }
  lastHeaders = headers;
  lastNormalized = normalized;
  return normalized;
}

/**
 * Compiles a headers filter: the same language over a headers object whose values are strings or
 * arrays of strings, with header names matched case-insensitively.
 */
export function compileHeadersFilter(filter: unknown): CompiledFilter {
  return compileRoot(filter, { lowerCaseKeys: true }, normalizeHeaders);
}
