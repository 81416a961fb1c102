/**
 * Incoming headers as receivers usually have them: a Node `IncomingHttpHeaders`-like record (any key
 * case) or a fetch `Headers`.
 */
export type HeaderSource =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null };

export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (isFetchHeaders(headers)) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    // Repeated headers arrive as an array; signatures are space separated, so join the same way.
    return typeof value === 'string' ? value : value.join(' ');
  }
  return undefined;
}

function isFetchHeaders(headers: HeaderSource): headers is { get(name: string): string | null } {
  return typeof (headers as { get?: unknown }).get === 'function';
}
