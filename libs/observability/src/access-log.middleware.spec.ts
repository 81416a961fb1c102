import express from 'express';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { accessLogMiddleware } from './access-log.middleware';
import { createLogger } from './logger';

describe('access log and request ids', () => {
  it('keeps the request id on lines logged after the raw body was read and after awaits', async () => {
    const chunks: string[] = [];
    const logger = createLogger(
      'test',
      'info',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    const app = express();
    app.use(accessLogMiddleware(logger));
    app.use(express.raw({ type: '*/*' }));
    app.post('/things/:id', (req, res) => {
      void (async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        logger.warn({ bytes: (req.body as Buffer).length }, 'inside the handler');
        res.status(202).send('ok');
      })();
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const answers = await Promise.all(
        ['one', 'two', 'three'].map((id) =>
          fetch(`http://127.0.0.1:${port}/things/${id}?token=hidden`, {
            method: 'POST',
            headers: { 'x-request-id': `id-${id}` },
            body: 'x'.repeat(100_000),
          }),
        ),
      );
      expect(answers.map((answer) => answer.headers.get('x-request-id'))).toEqual([
        'id-one',
        'id-two',
        'id-three',
      ]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      server.close();
    }
    const lines = chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const id of ['one', 'two', 'three']) {
      const mine = lines.filter((line) => line['request_id'] === `id-${id}`);
      expect(mine.map((line) => line['msg']).sort()).toEqual(['inside the handler', 'request']);
      expect(mine.find((line) => line['msg'] === 'request')).toMatchObject({
        method: 'POST',
        route: '/things/:id',
        path: `/things/${id}`,
        status: 202,
      });
    }
    expect(chunks.join('')).not.toContain('hidden');
  });
});
