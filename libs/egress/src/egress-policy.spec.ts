import { EgressPolicy, InvalidCidrError } from './egress-policy';
import { validateEndpointUrl } from './endpoint-url';

describe('EgressPolicy', () => {
  it('without an allowlist allows only public addresses', () => {
    const policy = new EgressPolicy();
    expect(policy.check('93.184.216.34')).toEqual({ allowed: true, addressClass: 'public' });
    expect(policy.check('2606:4700::1')).toEqual({ allowed: true, addressClass: 'public' });
    for (const ip of [
      '127.0.0.1',
      '::1',
      '10.0.0.1',
      '192.168.0.10',
      '100.64.1.1',
      'fe80::1',
      'fd00::1',
    ]) {
      const decision = policy.check(ip);
      expect(decision.allowed).toBe(false);
      if (!decision.allowed) expect(decision.reason).toContain('not in the egress allowlist');
    }
    expect(policy.check('not-an-ip')).toMatchObject({ allowed: false, addressClass: null });
  });

  it('allows allowlisted ranges, including their IPv4-mapped form', () => {
    const policy = new EgressPolicy(['127.0.0.0/8', '::1/128', ' 10.1.0.0/16 ', '192.168.5.5']);
    expect(policy.allowlist).toEqual(['127.0.0.0/8', '::1/128', '10.1.0.0/16', '192.168.5.5']);
    for (const ip of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '::ffff:127.0.0.1',
      '10.1.200.3',
      '192.168.5.5',
    ]) {
      expect(policy.check(ip)).toMatchObject({ allowed: true });
    }
    for (const ip of ['10.2.0.1', '192.168.5.6', 'fe80::1', '0.0.0.0']) {
      expect(policy.check(ip)).toMatchObject({ allowed: false });
    }
  });

  it('never allows cloud metadata addresses, even inside an allowlisted range', () => {
    const policy = new EgressPolicy(['0.0.0.0/0', '::/0']);
    expect(policy.check('10.0.0.1').allowed).toBe(true);
    for (const ip of [
      '169.254.169.254',
      '100.100.100.200',
      'fd00:ec2::254',
      '::ffff:169.254.169.254',
    ]) {
      expect(policy.check(ip)).toEqual({
        allowed: false,
        addressClass: 'metadata',
        reason: `${ip} is a cloud metadata address; it is never allowed`,
      });
    }
  });

  it('rejects invalid CIDRs, listing every one', () => {
    const bad = [
      '10.0.0.0/33',
      'localhost',
      '::1/129',
      '10.0.0.0/',
      'fe80::%eth0/64',
      '10.0.0.0/8/8',
    ];
    expect(() => new EgressPolicy(['127.0.0.0/8', ...bad])).toThrow(InvalidCidrError);
    try {
      new EgressPolicy(['127.0.0.0/8', ...bad]);
    } catch (error) {
      expect((error as InvalidCidrError).invalid).toEqual(bad);
      expect((error as Error).message).toContain('"10.0.0.0/33", "localhost"');
    }
  });
});

describe('validateEndpointUrl', () => {
  const strict = new EgressPolicy();
  const local = new EgressPolicy(['127.0.0.0/8', '::1/128']);
  const reasonOf = (url: string, policy = strict): string | undefined => {
    const result = validateEndpointUrl(url, policy);
    return result.valid ? undefined : result.reason;
  };

  it('accepts public http(s) URLs and hostnames (checked later, at connection time)', () => {
    const result = validateEndpointUrl('https://hooks.example.com:8443/in?x=1', strict);
    expect(result.valid && result.url.href).toBe('https://hooks.example.com:8443/in?x=1');
    expect(reasonOf('http://93.184.216.34/hook')).toBeUndefined();
    expect(reasonOf('http://[2606:4700::1]/hook')).toBeUndefined();
    expect(reasonOf('https://internal.example.com/')).toBeUndefined();
  });

  it.each([
    [
      'http://10.0.0.1/hook',
      'URL host 10.0.0.1 is a private address and is not in the egress allowlist',
    ],
    [
      'http://169.254.169.254/latest/meta-data/',
      'URL host 169.254.169.254 is a cloud metadata address; it is never allowed',
    ],
    ['http://[::1]:8080/', 'URL host ::1 is a loopback address and is not in the egress allowlist'],
    [
      'http://127.0.0.1/',
      'URL host 127.0.0.1 is a loopback address and is not in the egress allowlist',
    ],
    [
      'http://localhost:3000/',
      'URL host localhost is a loopback address and is not in the egress allowlist',
    ],
    [
      'http://api.localhost./',
      'URL host api.localhost is a loopback address and is not in the egress allowlist',
    ],
    [
      'http://0x7f.1/',
      'URL host 127.0.0.1 is a loopback address and is not in the egress allowlist',
    ],
    [
      'http://2130706433/',
      'URL host 127.0.0.1 is a loopback address and is not in the egress allowlist',
    ],
    [
      'http://[::ffff:a9fe:a9fe]/',
      'URL host ::ffff:a9fe:a9fe is a cloud metadata address; it is never allowed',
    ],
    [
      'http://0.0.0.0:80/',
      'URL host 0.0.0.0 is an unspecified address and is not in the egress allowlist',
    ],
    [
      'http://user:pass@example.com/',
      'URL must not contain credentials (user:password@); use endpoint authentication instead',
    ],
    [
      'https://token@example.com/',
      'URL must not contain credentials (user:password@); use endpoint authentication instead',
    ],
    ['ftp://example.com/', 'URL scheme "ftp" is not allowed; use http or https'],
    ['file:///etc/passwd', 'URL scheme "file" is not allowed; use http or https'],
    ['example.com/hook', 'URL is not a valid absolute URL'],
  ])('rejects %s', (url, reason) => {
    expect(reasonOf(url)).toBe(reason);
  });

  it('accepts loopback URLs once loopback is allowlisted, but still no metadata or private', () => {
    for (const url of ['http://127.0.0.1:5005/', 'http://[::1]/', 'http://localhost:3000/']) {
      expect(reasonOf(url, local)).toBeUndefined();
    }
    expect(reasonOf('http://10.0.0.1/', local)).toContain('private');
    expect(reasonOf('http://169.254.169.254/', local)).toContain('metadata');
  });
});
