import { z } from 'zod';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/**
 * Whole seconds, as Convoy's API takes them; Convoy's guides also send Go-style durations such as
 * `"10s"` or `"1m"`, so those are accepted and converted, letting existing requests work unchanged.
 */
export function durationSecondsSchema(min: number, max: number) {
  return z
    .union([
      z.int(),
      z
        .string()
        .regex(/^\d+[smh]$/, 'must be whole seconds or a duration such as "10s", "5m" or "1h"')
        .transform(
          (text) =>
            Number(text.slice(0, -1)) * UNIT_SECONDS[text.slice(-1) as keyof typeof UNIT_SECONDS],
        ),
    ])
    .pipe(z.int().min(min).max(max));
}
