import type { SendResult } from '../http/http-sender';
import { EndpointBreakers } from './endpoint-breakers';

const ok: SendResult = { kind: 'response', status: 200, headers: {}, body: '', latencyMs: 1 };
const failed: SendResult = {
  kind: 'error',
  errorKind: 'connection',
  message: 'ECONNREFUSED',
  latencyMs: 1,
};

describe('EndpointBreakers', () => {
  let breakers: EndpointBreakers;
  beforeEach(() => {
    breakers = new EndpointBreakers({
      errorThresholdPercent: 70,
      windowMs: 60_000,
      minRequests: 10,
      resetMs: 50,
    });
  });
  afterEach(() => {
    breakers.shutdown();
  });

  it('stays closed below the minimum request count, then opens at 70% failures', async () => {
    for (let index = 0; index < 9; index += 1)
      expect(await breakers.run('a', () => Promise.resolve(failed))).toBe(failed);
    expect(breakers.isOpen('a')).toBe(false);
    expect(await breakers.run('a', () => Promise.resolve(failed))).toBe(failed);
    expect(breakers.isOpen('a')).toBe(true);
    expect(await breakers.run('a', () => Promise.resolve(ok))).toBe('open');
    expect(breakers.consecutiveTrips('a')).toBe(1);
  });

  it('does not open while failures stay under the threshold', async () => {
    for (let index = 0; index < 20; index += 1) {
      await breakers.run('b', () => Promise.resolve(index % 3 === 0 ? failed : ok));
    }
    expect(breakers.isOpen('b')).toBe(false);
  });

  it('lets one trial through when half-open, counting consecutive trips until it recovers', async () => {
    for (let index = 0; index < 10; index += 1)
      await breakers.run('c', () => Promise.resolve(failed));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(breakers.isOpen('c')).toBe(false);
    expect(await breakers.run('c', () => Promise.resolve(failed))).toBe(failed);
    expect(breakers.consecutiveTrips('c')).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await breakers.run('c', () => Promise.resolve(ok))).toBe(ok);
    expect(breakers.consecutiveTrips('c')).toBe(0);
    expect(breakers.isOpen('d')).toBe(false);
  });
});
