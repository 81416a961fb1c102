import { UUID_PATTERN } from '../ids';
import { brokerEventId } from './broker-event-id';

describe('brokerEventId', () => {
  const source = '0190a4d2-0000-7000-8000-000000000001';
  const publishedAt = Date.UTC(2026, 10, 29, 12, 0, 0, 123);

  it('is the same for a redelivered message and different for another message or source', () => {
    const id = brokerEventId(source, 'msg-1', publishedAt);
    expect(id).toMatch(UUID_PATTERN);
    expect(brokerEventId(source, 'msg-1', publishedAt)).toBe(id);
    expect(brokerEventId(source, 'msg-2', publishedAt)).not.toBe(id);
    expect(brokerEventId('0190a4d2-0000-7000-8000-000000000002', 'msg-1', publishedAt)).not.toBe(
      id,
    );
  });

  it('is a UUIDv7 carrying the publish time, so events sort by when they were published', () => {
    const id = brokerEventId(source, 'msg-1', publishedAt);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(publishedAt);
    expect(
      brokerEventId(source, 'z', publishedAt - 1) < brokerEventId(source, 'a', publishedAt),
    ).toBe(true);
  });
});
