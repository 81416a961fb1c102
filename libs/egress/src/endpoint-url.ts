import { isIP } from 'node:net';
import type { EgressPolicy } from './egress-policy';

export type EndpointUrlValidation = { valid: true; url: URL } | { valid: false; reason: string };

/**
 * Early, DNS-free feedback when an endpoint is created or updated: http(s) only, no credentials in
 * the URL, and no literal IP or localhost the policy refuses. Hostnames are only checked when the
 * egress agent connects, because what they resolve to can change at any time.
 */
export function validateEndpointUrl(input: string, policy: EgressPolicy): EndpointUrlValidation {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { valid: false, reason: 'URL is not a valid absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      valid: false,
      reason: `URL scheme "${url.protocol.slice(0, -1)}" is not allowed; use http or https`,
    };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      valid: false,
      reason:
        'URL must not contain credentials (user:password@); use endpoint authentication instead',
    };
  }
  // WHATWG URL already canonicalises IPv4 tricks (0x7f.1, 2130706433 → 127.0.0.1); strip [ ] and a
  // trailing root dot so "[::1]" and "localhost." are recognised too.
  const host = url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === '') return { valid: false, reason: 'URL has no host' };

  if (isIP(host) !== 0) {
    const decision = policy.check(host);
    return decision.allowed
      ? { valid: true, url }
      : { valid: false, reason: `URL host ${decision.reason}` };
  }
  // RFC 6761: localhost and *.localhost always mean this machine.
  if (host === 'localhost' || host.endsWith('.localhost')) {
    const loopback = ['127.0.0.1', '::1'].map((ip) => policy.check(ip));
    if (!loopback.some((decision) => decision.allowed)) {
      return {
        valid: false,
        reason: `URL host ${host} is a loopback address and is not in the egress allowlist`,
      };
    }
  }
  return { valid: true, url };
}
