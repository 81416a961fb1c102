import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { acceptRequestId, runInRequestContext } from './request-context';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('logs', () => {
  it('puts the request id on every line written inside a request, even after awaits', async () => {
    const out = capture();
    const logger = createLogger('test', 'info', out.stream);
    await runInRequestContext({ requestId: 'req-1' }, async () => {
      logger.info('first');
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.child({ stage: 'x' }).warn('second');
    });
    logger.info('outside');
    expect(out.lines().map((line) => [line['msg'], line['request_id']])).toEqual([
      ['first', 'req-1'],
      ['second', 'req-1'],
      ['outside', undefined],
    ]);
  });

  it('redacts authorization headers, keys, secrets and tokens at any depth', () => {
    const out = capture();
    const logger = createLogger('test', 'info', out.stream);
    logger.info(
      {
        authorization: 'Bearer top-1',
        headers: { authorization: 'Bearer top-2', cookie: 'sid=top-3', 'x-api-key': 'top-4' },
        endpoint: { secret: 'top-5', url: 'https://example.com' },
        err: { config: { headers: { authorization: 'Basic top-6' } } },
        source: { verifier: { password: 'top-7' } },
        token: 'top-8',
      },
      'with secrets',
    );
    const written = JSON.stringify(out.lines());
    expect(written).not.toMatch(/top-\d/);
    expect(written).toContain('https://example.com');
  });

  it('accepts a short printable X-Request-Id and replaces anything else', () => {
    expect(acceptRequestId('abc-123_DEF.4')).toBe('abc-123_DEF.4');
    for (const bad of ['', 'a'.repeat(129), 'has space', 'line\nbreak', '{"json":1}', undefined]) {
      const id = acceptRequestId(bad);
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
