import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector, errors } from 'undici';
import type { EgressPolicy } from './egress-policy';
import { EgressRefusedError } from './egress-refused-error';

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Hostname → addresses; defaults to dns.lookup (hosts file + system resolver, like undici itself). */
export type EgressResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface EgressAgentOptions {
  /** Bound on the DNS lookup and on each TCP(+TLS) connection attempt. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Reuse connections between deliveries. Default true. */
  keepAlive?: boolean;
  /** Idle time before a kept-alive socket is closed (servers' Keep-Alive hints may shorten it). Default 4 000 ms. */
  keepAliveTimeoutMs?: number;
  /** Maximum concurrent connections per origin. Default: unlimited (undici's default). */
  connectionsPerOrigin?: number;
  /** Replaces the DNS lookup (tests, custom resolvers). */
  resolve?: EgressResolver;
  /** A client certificate (PEM) presented on TLS connections (mTLS); the key PEM is unencrypted. */
  clientCertificate?: { cert: string; key: string };
}

export const defaultResolve: EgressResolver = (hostname) => lookup(hostname, { all: true });

/**
 * An undici Agent that cannot reach addresses the policy refuses. Its connector resolves the host
 * itself, refuses the connection if ANY resolved address is disallowed (an attacker controlling DNS
 * could otherwise mix one public and one internal record), and then connects to the checked IP
 * literal, so a DNS answer that changes between check and connect (rebinding) is never used. TLS
 * still uses the hostname for SNI and certificate verification. Each new connection is re-checked;
 * redirects are not followed by undici, so they cannot bypass the check either.
 */
export function createEgressAgent(policy: EgressPolicy, options: EgressAgentOptions = {}): Agent {
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  const resolve = options.resolve ?? defaultResolve;
  const connectTo = buildConnector({
    timeout: timeoutMs,
    ...(options.clientCertificate
      ? { cert: options.clientCertificate.cert, key: options.clientCertificate.key }
      : {}),
  });

  const connect: buildConnector.connector = (target, callback) => {
    const hostname = target.hostname;
    // An IP literal must verify against the IP itself, so it gets no SNI servername.
    const servername =
      isIP(hostname) !== 0 ? undefined : target.servername || hostname.replace(/\.$/, '');

    const attempt = (addresses: readonly string[], index: number): void => {
      const address = addresses[index];
      if (address === undefined) return;
      try {
        connectTo({ ...target, hostname: address, servername }, (...result) => {
          const [error] = result;
          // Try the next checked address, as undici's own happy-eyeballs would (e.g. ::1 then 127.0.0.1).
          if (error && index + 1 < addresses.length) attempt(addresses, index + 1);
          else callback(...result);
        });
      } catch (error) {
        callback(toError(error), null);
      }
    };

    resolveAllowed(hostname, policy, resolve, timeoutMs).then(
      (addresses) => {
        attempt(addresses, 0);
      },
      (error: unknown) => {
        callback(toError(error), null);
      },
    );
  };

  return new Agent({
    connect,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
    // undici's way to turn keep-alive off is to allow no requests in flight on an idle socket.
    pipelining: options.keepAlive === false ? 0 : 1,
    ...(options.connectionsPerOrigin === undefined
      ? {}
      : { connections: options.connectionsPerOrigin }),
  });
}

/**
 * Every address `hostname` resolves to, or EgressRefusedError if any of them is not allowed. The one
 * check behind every guarded connection (undici for deliveries, Node agents for broker clients).
 */
export async function resolveAllowed(
  hostname: string,
  policy: EgressPolicy,
  resolve: EgressResolver,
  timeoutMs: number,
): Promise<string[]> {
  const family = isIP(hostname);
  const records =
    family !== 0
      ? [{ address: hostname, family }]
      : await withTimeout(resolve(hostname), timeoutMs, hostname);
  if (records.length === 0) {
    throw Object.assign(new Error(`DNS lookup for ${hostname} returned no addresses`), {
      code: 'ENOTFOUND',
    });
  }
  for (const { address } of records) {
    const decision = policy.check(address);
    if (!decision.allowed)
      throw new EgressRefusedError({ hostname, address, reason: decision.reason });
  }
  return [...new Set(records.map(({ address }) => address))];
}

async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  hostname: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new errors.ConnectTimeoutError(
          `DNS lookup for ${hostname} timed out after ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
