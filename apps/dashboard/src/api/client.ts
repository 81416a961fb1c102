import { createFlotillaClient, type FlotillaClient } from '@flotilla/api-client';

/** An API answer that was not a success, as the envelope says it: message and the field at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface Answer<T> {
  data?: { data: T } | undefined;
  error?: unknown;
  response: Response;
}

/**
 * The envelope's `data` of a typed client call, or an ApiError. `T` narrows answers the API
 * document types loosely (lists of deliveries and attempts are "an object" there).
 */
export async function unwrap<T>(call: Promise<Answer<unknown>>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || data === undefined) {
    const body = (error ?? {}) as { message?: string; data?: { field?: string } };
    throw new ApiError(
      response.status,
      body.message ?? `the API answered ${response.status}`,
      body.data?.field,
    );
  }
  return data.data as T;
}

/** The typed client (generated from the API's OpenAPI document) for this origin and a token. */
export function apiClient(token: string): FlotillaClient {
  return createFlotillaClient({ baseUrl: window.location.origin, token });
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError)
    return error.field ? `${error.message} (${error.field})` : error.message;
  return error instanceof Error ? error.message : String(error);
}

export interface Cursor {
  direction: 'next' | 'prev';
  cursor: string;
}

/** Convoy's paging parameters for a page after (or before) `cursor`. */
export function pageQuery(cursor: Cursor | null, perPage = 20) {
  if (!cursor) return { perPage };
  return cursor.direction === 'next'
    ? { perPage, direction: 'next' as const, next_page_cursor: cursor.cursor }
    : { perPage, direction: 'prev' as const, prev_page_cursor: cursor.cursor };
}
