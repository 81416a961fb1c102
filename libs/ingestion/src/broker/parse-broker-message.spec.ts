import { parseBrokerMessage, type BrokerParseResult } from './parse-broker-message';

const LIMIT = 1024;
const parse = (body: string | Buffer, attributes: Record<string, string> = {}): BrokerParseResult =>
  parseBrokerMessage(typeof body === 'string' ? Buffer.from(body) : body, attributes, LIMIT);

describe('parseBrokerMessage', () => {
  it('reads a single message (the default type), keeping the exact bytes of data', () => {
    const result = parse(
      '{"endpoint_id":"ep_1","event_type":"order.paid","data":{"b":1,"2":1.50},"custom_headers":{"X-A":"1"},"idempotency_key":"k1"}',
    );
    expect(result).toEqual({
      ok: true,
      event: {
        target: { kind: 'single', endpoint_id: 'ep_1' },
        eventType: 'order.paid',
        rawData: '{"b":1,"2":1.50}',
        customHeaders: { 'X-A': '1' },
        idempotencyKey: 'k1',
      },
    });
  });

  it('selects fanout and broadcast by the x-convoy-message-type attribute (any case)', () => {
    const fanout = parse('{"owner_id":"o1","event_type":"e","data":[]}', {
      'X-Convoy-Message-Type': 'Fanout',
    });
    expect(fanout.ok && fanout.event.target).toEqual({ kind: 'fanout', owner_id: 'o1' });
    const broadcast = parse('{"event_type":"e","data":null}', {
      'x-convoy-message-type': 'broadcast',
    });
    expect(broadcast.ok && broadcast.event.target).toEqual({ kind: 'broadcast' });
    expect(broadcast.ok && broadcast.event.rawData).toBe('null');
  });

  it('accepts what Go producers send for absent fields ("" and null)', () => {
    const result = parse(
      '{"endpoint_id":"ep","owner_id":"","event_type":"e","data":1,"custom_headers":null,"idempotency_key":""}',
    );
    expect(result).toMatchObject({
      ok: true,
      event: { customHeaders: undefined, idempotencyKey: undefined },
    });
  });

  it('accepts a UTF-8 byte order mark', () => {
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('{"endpoint_id":"e","event_type":"t","data":{}}'),
    ]);
    expect(parse(body).ok).toBe(true);
  });

  const refusals: [string, string | Buffer, Record<string, string>, string, RegExp][] = [
    ['too large', `{"data":"${'x'.repeat(LIMIT)}"}`, {}, 'too_large', /bytes; the limit is 1024/],
    ['not JSON', '{"event_type": ', {}, 'malformed_json', /not JSON/],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), {}, 'malformed_json', /UTF-8/],
    ['not an object', '[1,2]', {}, 'invalid_message', /JSON object/],
    [
      'no event_type',
      '{"endpoint_id":"e","data":{}}',
      {},
      'invalid_message',
      /event_type: is required/,
    ],
    ['no data', '{"endpoint_id":"e","event_type":"t"}', {}, 'invalid_message', /data: is required/],
    [
      'single without endpoint',
      '{"event_type":"t","data":{}}',
      {},
      'invalid_message',
      /endpoint_id: is required for single/,
    ],
    [
      'fanout without owner',
      '{"event_type":"t","data":{}}',
      { 'x-convoy-message-type': 'fanout' },
      'invalid_message',
      /owner_id/,
    ],
    [
      'bad header',
      '{"endpoint_id":"e","event_type":"t","data":{},"custom_headers":{"a b":"c"}}',
      {},
      'invalid_message',
      /custom_headers/,
    ],
    [
      'unknown type',
      '{"event_type":"t","data":{}}',
      { 'x-convoy-message-type': 'multicast' },
      'unknown_message_type',
      /not "multicast"/,
    ],
  ];
  it.each(refusals)('refuses a message that is %s', (_name, body, attributes, reason, detail) => {
    const result = parse(body, attributes);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.detail).toMatch(detail);
    }
  });
});
