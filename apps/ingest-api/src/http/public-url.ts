import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

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

/** The scheme and Host a request came with: where the caller reached this API. */
export interface RequestOrigin {
  host: string | undefined;
  forwardedProto: string | undefined;
}

export const Origin = createParamDecorator(
  (_: unknown, context: ExecutionContext): RequestOrigin => {
    const request = context.switchToHttp().getRequest<Request>();
    const proto = request.headers['x-forwarded-proto'];
    return {
      host: request.headers.host,
      forwardedProto: Array.isArray(proto) ? proto[0] : proto,
    };
  },
);
