import {
  batchReplayQuerySchema,
  batchRetryQuerySchema,
  deliveryMessageV1Schema,
  eventMessageV1Schema,
  forceResendBodySchema,
  newId,
} from '@flotilla/contracts';
import type { Event } from '@flotilla/db';
import {
  deliveryMessage,
  replayFilters,
  rerouteMessage,
  retryFilters,
} from './delivery-operations.service';
import { ManagementError } from './management-error';

const endpointId = newId();

function event(overrides: Partial<Event> = {}): Event {
  return {
    id: newId(),
    projectId: newId(),
    eventType: 'order.paid',
    rawData: '{"b":1,"a":1.50}',
    headers: { 'X-Trace': 't-1' },
    targetKind: 'single',
    endpointId,
    ownerId: null,
    idempotencyKey: 'k-1',
    isDuplicate: false,
    sourceId: null,
    brokerMessageId: null,
    acceptedAt: new Date('2026-01-02T03:04:05.678Z'),
    createdAt: new Date('2026-01-02T03:04:06.000Z'),
    ...overrides,
  };
}

describe('retryFilters', () => {
  it('retries failures when no status is given', () => {
    expect(retryFilters(batchRetryQuerySchema.parse({}))?.statuses).toEqual(['Failure']);
  });

  it('never retries a success, and matches nothing when only Success is asked for', () => {
    expect(
      retryFilters(batchRetryQuerySchema.parse({ status: ['Success', 'Discarded', 'Discarded'] }))
        ?.statuses,
    ).toEqual(['Discarded']);
    expect(retryFilters(batchRetryQuerySchema.parse({ status: 'Success' }))).toBeUndefined();
  });

  it('keeps the list filters and names a malformed id', () => {
    const filters = retryFilters(
      batchRetryQuerySchema.parse({
        endpointId: endpointId,
        startDate: '2026-01-01T00:00:00Z',
        perPage: '5',
      }),
    );
    expect(filters).toMatchObject({
      endpointIds: [endpointId],
      startDate: new Date('2026-01-01T00:00:00Z'),
    });
    // Malformed ids never get this far: the query schema names them.
    expect(batchRetryQuerySchema.safeParse({ eventId: 'nope' }).error?.issues[0]?.path).toEqual([
      'eventId',
    ]);
    expect(() =>
      retryFilters(
        batchRetryQuerySchema.parse({
          startDate: '2026-02-01T00:00:00Z',
          endDate: '2026-01-01T00:00:00Z',
        }),
      ),
    ).toThrow(expect.objectContaining({ code: 'validation', field: 'endDate' }) as ManagementError);
  });
});

describe('replayFilters', () => {
  it('maps the event list filters; the query schema checks ids', () => {
    expect(replayFilters({ eventType: 'order.paid', endpointId: [endpointId] })).toMatchObject({
      eventType: 'order.paid',
      endpointIds: [endpointId],
    });
    expect(batchReplayQuerySchema.safeParse({ sourceId: 'x' }).error?.issues[0]?.path).toEqual([
      'sourceId',
    ]);
    expect(
      batchReplayQuerySchema.safeParse({ endpointId: [endpointId, 'x'] }).error?.issues[0]?.path,
    ).toEqual(['endpointId']);
  });
});

describe('forceResendBodySchema', () => {
  it('names ids when empty or malformed', () => {
    const empty = forceResendBodySchema.safeParse({ ids: [] });
    const malformed = forceResendBodySchema.safeParse({ ids: [newId(), 'abc'] });
    expect(empty.error?.issues[0]?.path).toEqual(['ids']);
    expect(malformed.error?.issues[0]?.path).toEqual(['ids', 1]);
  });
});

describe('messages', () => {
  it('marks a resend as manual, keyed fields intact', () => {
    const row = { id: newId(), eventId: newId(), endpointId, projectId: newId() };
    const message = deliveryMessageV1Schema.parse(deliveryMessage(row));
    expect(message).toEqual({
      v: 1,
      delivery_id: row.id,
      event_id: row.eventId,
      endpoint_id: endpointId,
      project_id: row.projectId,
      origin: 'manual',
    });
  });

  it('rebuilds the accepted event with the same id and the exact data bytes', () => {
    const row = event();
    const message = eventMessageV1Schema.parse(rerouteMessage(row));
    expect(message).toMatchObject({
      event_id: row.id,
      target: { kind: 'single', endpoint_id: endpointId },
      data: '{"b":1,"a":1.50}',
      custom_headers: { 'X-Trace': 't-1' },
      idempotency_key: 'k-1',
      accepted_at: '2026-01-02T03:04:05.678Z',
    });
  });

  it('rebuilds fan-out and broadcast targets, and refuses what cannot be routed', () => {
    expect(
      rerouteMessage(event({ targetKind: 'fanout', endpointId: null, ownerId: 'o-1' }))?.target,
    ).toEqual({
      kind: 'fanout',
      owner_id: 'o-1',
    });
    expect(rerouteMessage(event({ targetKind: 'broadcast', endpointId: null }))?.target).toEqual({
      kind: 'broadcast',
    });
    expect(rerouteMessage(event({ endpointId: null }))).toBeUndefined();
    expect(rerouteMessage(event({ targetKind: 'dynamic' }))).toBeUndefined();
  });
});
