import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A file for a service's `node --require` (FLOTILLA_NODE_ARGS) that answers the DNS lookups of the
 * given test host names with the given IPv4 addresses; every other name resolves as usual. Lets a
 * test point a host name at 127.0.0.2 (a stand-in for an internal address) without touching the
 * machine's resolver.
 */
export function writeHostsPreload(hosts: Record<string, string>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'flotilla-hosts-')), 'hosts.cjs');
  writeFileSync(
    file,
    `
const dns = require('node:dns');
const HOSTS = ${JSON.stringify(hosts)};
const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  if (typeof options === 'function') { callback = options; options = {}; }
  if (typeof options === 'number') options = { family: options };
  const address = HOSTS[hostname];
  if (address === undefined) return lookup.call(dns, hostname, options, callback);
  process.nextTick(() =>
    options && options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4),
  );
};
const lookupPromise = dns.promises.lookup;
dns.promises.lookup = function (hostname, options) {
  const address = HOSTS[hostname];
  if (address === undefined) return lookupPromise.call(dns.promises, hostname, options);
  const all = typeof options === 'object' && options !== null && options.all;
  return Promise.resolve(all ? [{ address, family: 4 }] : { address, family: 4 });
};
`,
  );
  return file;
}
