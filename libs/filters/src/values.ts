export type PlainObject = Record<string, unknown>;

/** JSON objects: anything object-like that is not null or an array. */
export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Structural equality of JSON values: objects by their own keys regardless of order, arrays
 * element-wise in order, scalars with `===` (so `5` never equals `"5"`). Recursion stops as soon as
 * either side is not a container, so its depth is bounded by the (validated) filter literal.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (!deepEqual(a[i], b[i])) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  const aObj = a as PlainObject;
  const bObj = b as PlainObject;
  const keys = Object.keys(bObj);
  if (keys.length !== Object.keys(aObj).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(aObj, key) || !deepEqual(aObj[key], bObj[key])) return false;
  }
  return true;
}
