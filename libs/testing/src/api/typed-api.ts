import { request } from 'undici';
import { createFlotillaClient, type FlotillaClient } from '@flotilla/api-client';
import { apiAgent } from './flotilla-api.client';

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|\[::1\])$/;

/** Tests talk to loopback only: refuses any other host before a request is made. */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (!LOOPBACK.test(host)) throw new Error(`tests only talk to loopback, not ${host}`);
}

// openapi-fetch hands over a standard Request; it goes out through the same keep-alive agent as
// FlotillaApi, and the answer comes back as a standard Response.
async function keepAliveFetch(input: Request): Promise<Response> {
  assertLoopback(input.url);
  const hasBody = input.method !== 'GET' && input.method !== 'HEAD';
  const answer = await request(input.url, {
    method: input.method as 'GET',
    headers: Object.fromEntries(input.headers),
    body: hasBody ? Buffer.from(await input.arrayBuffer()) : undefined,
    dispatcher: apiAgent,
  });
  const body = Buffer.from(await answer.body.arrayBuffer());
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value])
      headers.append(name, one);
  }
  const empty = answer.statusCode === 204 || answer.statusCode === 304;
  return new Response(empty ? null : body, { status: answer.statusCode, headers });
}

/** The typed client (generated from docs/openapi.json) for a loopback Flotilla, with `token`. */
export function typedApi(baseUrl: string, token?: string): FlotillaClient {
  assertLoopback(baseUrl);
  return createFlotillaClient({ baseUrl, ...(token ? { token } : {}), fetch: keepAliveFetch });
}
