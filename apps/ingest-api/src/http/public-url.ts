/** Where users reach this API, for links it hands out (FLOTILLA_PUBLIC_URL, when set). */
export const PUBLIC_URL = Symbol('PUBLIC_URL');

/**
 * The configured public URL, else the scheme and Host the request came with (what the caller
 * used to reach us; behind a proxy, X-Forwarded-Proto gives the scheme).
 */
export function publicBaseUrl(
  configured: string | undefined,
  host: string | undefined,
  forwardedProto: string | undefined,
): string {
  if (configured) return configured.replace(/\/+$/, '');
  const scheme = forwardedProto?.split(',')[0]?.trim() === 'https' ? 'https' : 'http';
  return `${scheme}://${host ?? 'localhost'}`;
}
