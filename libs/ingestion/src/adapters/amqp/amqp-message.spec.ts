import type { ConsumeMessage } from 'amqplib';
import { publishTime, toBrokerMessage } from './amqp-source.adapter';

const delivery = (properties: Record<string, unknown>): ConsumeMessage =>
  ({
    content: Buffer.from('{"a":1}'),
    fields: {},
    properties: { headers: {}, ...properties },
  }) as unknown as ConsumeMessage;

describe('AMQP deliveries as broker messages', () => {
  it('takes the message-id as the id and headers as attributes', () => {
    const noId = jest.fn();
    const message = toBrokerMessage(
      delivery({
        messageId: 'm-1',
        timestamp: 1_700_000_000,
        headers: {
          'x-convoy-message-type': 'broadcast',
          count: 3,
          flag: true,
          raw: Buffer.from('bytes'),
          nested: { a: 1 },
          none: null,
        },
      }),
      noId,
    );
    expect(message).toEqual({
      id: 'm-1',
      body: Buffer.from('{"a":1}'),
      attributes: {
        'x-convoy-message-type': 'broadcast',
        count: '3',
        flag: 'true',
        raw: 'bytes',
        nested: '{"a":1}',
      },
      publishedAt: 1_700_000_000_000,
    });
    expect(noId).not.toHaveBeenCalled();
  });

  it('gives a message without a message-id a fresh id, and says so', () => {
    const noId = jest.fn();
    const a = toBrokerMessage(delivery({}), noId);
    const b = toBrokerMessage(delivery({ messageId: '' }), noId);
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(noId).toHaveBeenCalledTimes(2);
  });

  it('reads the timestamp in seconds, or milliseconds when a producer wrote those; 0 when absent', () => {
    expect(publishTime(1_700_000_000)).toBe(1_700_000_000_000);
    expect(publishTime(1_700_000_000_123)).toBe(1_700_000_000_123);
    expect(publishTime(undefined)).toBe(0);
    expect(publishTime(-5)).toBe(0);
    expect(publishTime('x')).toBe(0);
  });
});
