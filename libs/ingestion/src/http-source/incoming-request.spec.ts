import { incomingEventData, incomingEventType, recordedHeaders } from './incoming-request';

describe('incoming requests', () => {
  it('keeps a JSON body byte for byte and wraps anything else as a JSON string', () => {
    expect(incomingEventData(Buffer.from('{ "n": 1.50,\n"a": [] }'))).toBe(
      '{ "n": 1.50,\n"a": [] }',
    );
    expect(incomingEventData(Buffer.from('payload=%7B%7D'))).toBe('"payload=%7B%7D"');
    expect(incomingEventData(Buffer.alloc(0))).toBe('""');
  });

  it('records headers for filters, but not framing, credentials or Flotilla’s own', () => {
    const kept = recordedHeaders(
      {
        host: 'x',
        'content-length': '10',
        'content-type': 'application/json',
        authorization: 'Basic abc',
        cookie: 'a=b',
        'x-github-event': 'push',
        'x-hub-signature-256': 'sha256=ab',
        'x-convoy-signature': 'forged',
        'webhook-signature': 'forged',
        'x-flotilla-event-id': 'forged',
        'x-multi': ['a', 'b'],
        'x-huge': 'v'.repeat(5000),
      },
      ['X-Hub-Signature-256'],
    );
    expect(kept).toEqual({
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-multi': 'a, b',
    });
  });

  it('takes the event type from the provider header, else the fallback', () => {
    expect(incomingEventType({ 'x-github-event': ' push ' }, 'X-GitHub-Event', 'src')).toBe('push');
    expect(incomingEventType({}, 'X-GitHub-Event', 'src')).toBe('src');
    expect(incomingEventType({ 'x-github-event': 'x' }, undefined, 'src')).toBe('src');
    expect(incomingEventType({ 'x-t': 'y'.repeat(300) }, 'X-T', 'src')).toBe('src');
  });
});
