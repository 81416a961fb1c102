import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './generated/flotilla-api';

export type FlotillaClient = Client<paths>;

export interface FlotillaClientOptions {
  /** Where the ingest-api listens, e.g. http://127.0.0.1:3000 (no trailing slash). */
  baseUrl: string;
  /** A project API key or the admin token, sent as `Authorization: Bearer …`. */
  token?: string;
  /** Another fetch (e.g. one over a keep-alive agent); default: the global fetch. */
  fetch?: ClientOptions['fetch'];
}

/**
 * A typed client of Flotilla's API: paths, parameters, bodies and answers are checked against the
 * types generated from docs/openapi.json (`npm run openapi`).
 */
export function createFlotillaClient(options: FlotillaClientOptions): FlotillaClient {
  return createClient<paths>({
    baseUrl: options.baseUrl,
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
