import { BlockList, isIP } from 'node:net';
import { classifyAddress, stripZone, type AddressClass } from './address-class';

export type EgressDecision =
  | { allowed: true; addressClass: AddressClass }
  | { allowed: false; addressClass: AddressClass | null; reason: string };

/** Thrown by the EgressPolicy constructor; `invalid` lists every bad entry at once. */
export class InvalidCidrError extends Error {
  override readonly name = 'InvalidCidrError';

  constructor(readonly invalid: readonly string[]) {
    super(
      `invalid egress allowlist CIDR(s): ${invalid.map((cidr) => JSON.stringify(cidr)).join(', ')} ` +
        '(expected e.g. 10.0.0.0/8, ::1/128 or a single address)',
    );
  }
}

/**
 * Which destination addresses outbound deliveries may reach: public addresses, plus private ranges
 * the operator allowlists (e.g. `FLOTILLA_EGRESS_ALLOW=127.0.0.0/8,::1/128` for local use).
 * Cloud metadata addresses are refused even when allowlisted: a broad range such as 169.254.0.0/16
 * or 0.0.0.0/0 must never quietly expose instance credentials.
 */
export class EgressPolicy {
  readonly allowlist: readonly string[];
  private readonly allowed = new BlockList();

  constructor(allowCidrs: readonly string[] = []) {
    const invalid: string[] = [];
    for (const raw of allowCidrs) {
      const cidr = raw.trim();
      if (!this.addCidr(cidr)) invalid.push(raw);
    }
    if (invalid.length > 0) throw new InvalidCidrError(invalid);
    this.allowlist = allowCidrs.map((cidr) => cidr.trim());
  }

  check(ip: string): EgressDecision {
    const address = stripZone(ip);
    const family = isIP(address);
    if (family === 0) {
      return {
        allowed: false,
        addressClass: null,
        reason: `${JSON.stringify(ip)} is not an IP address`,
      };
    }
    const addressClass = classifyAddress(address);
    if (addressClass === 'public') return { allowed: true, addressClass };
    if (addressClass === 'metadata') {
      return {
        allowed: false,
        addressClass,
        reason: `${ip} is a cloud metadata address; it is never allowed`,
      };
    }
    // BlockList also matches IPv4 rules against IPv4-mapped IPv6 addresses (and vice versa).
    if (this.allowed.check(address, family === 4 ? 'ipv4' : 'ipv6'))
      return { allowed: true, addressClass };
    return {
      allowed: false,
      addressClass,
      reason: `${ip} is ${/^[aeiou]/.test(addressClass) ? 'an' : 'a'} ${addressClass} address and is not in the egress allowlist`,
    };
  }

  private addCidr(cidr: string): boolean {
    const slash = cidr.indexOf('/');
    const network = slash === -1 ? cidr : cidr.slice(0, slash);
    const family = isIP(network);
    // A zone id (fe80::1%eth0) names an interface, not a range.
    if (family === 0 || network.includes('%')) return false;
    const max = family === 4 ? 32 : 128;
    const prefixText = slash === -1 ? String(max) : cidr.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return false;
    try {
      this.allowed.addSubnet(network, Number(prefixText), family === 4 ? 'ipv4' : 'ipv6');
    } catch {
      return false;
    }
    return true;
  }
}
