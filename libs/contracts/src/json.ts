import { z } from 'zod';

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonValueSchema),
    z.record(z.string(), jsonValueSchema),
  ]),
);

/** Header names are tokens (RFC 9110); values must not carry line breaks or NUL (unstorable). */
export const headerMapSchema = z.record(
  z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a valid HTTP header name'),
  z
    .string()
    .regex(/^[^\r\n\0]*$/, 'must not contain line breaks or NUL characters')
    .max(4096),
);

/**
 * How deep a request body's JSON may nest. Validating deeper values recursively (zod, filters)
 * would overflow the stack; no real payload comes near it.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The path to the first object or array nested deeper than `maxDepth` (the body itself is level
 * 1), or undefined. Iterative, so any depth is safe to check.
 */
export function findTooDeepJson(
  value: unknown,
  maxDepth: number = MAX_JSON_DEPTH,
): (string | number)[] | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value: current, path } = next;
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= maxDepth) return path;
    if (Array.isArray(current)) {
      current.forEach((item: unknown, index) =>
        stack.push({ value: item, path: [...path, index] }),
      );
    } else {
      for (const [key, item] of Object.entries(current as Record<string, unknown>))
        stack.push({ value: item, path: [...path, key] });
    }
  }
  return undefined;
}
