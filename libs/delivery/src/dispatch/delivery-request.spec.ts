import { projectConfigSchema } from '@flotilla/contracts';
import type { DispatchRow } from '@flotilla/db';
import { buildDeliveryRequest } from './delivery-request';

const NOW = new Date('2026-12-05T00:00:00Z');

function row(overrides: Partial<DispatchRow> = {}): DispatchRow {
  return {
    id: '0193a000-0000-7000-8000-000000000001',
    projectId: '0193a000-0000-7000-8000-0000000000aa',
    eventId: '0193a000-0000-7000-8000-0000000000ee',
    endpointId: '0193a000-0000-7000-8000-0000000000dd',
    status: 'Scheduled',
    attemptCount: 0,
    eventType: 'order.created',
    rawData: '{"a":1}',
    eventHeaders: {},
    url: 'https://receiver.example/hook',
    endpointStatus: 'active',
    secrets: [
      {
        value: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        created_at: '2026-01-01T00:00:00Z',
        expires_at: null,
      },
    ],
    advancedSignatures: true,
    httpTimeoutSeconds: 10,
    rateLimit: 0,
    rateLimitDurationSeconds: 1,
    customHeaders: {},
    authentication: null,
    credentials: null,
    mtlsClientCert: null,
    contentType: 'application/json',
    projectConfig: {},
    ordered: false,
    ...overrides,
  };
}

const config = projectConfigSchema.parse({});

describe('buildDeliveryRequest headers', () => {
  it("never lets an event's headers replace the endpoint's or Flotilla's own", () => {
    const { headers } = buildDeliveryRequest(
      row({
        customHeaders: { 'X-Tenant': 'endpoint' },
        eventHeaders: {
          'X-Tenant': 'event',
          'webhook-id': 'forged',
          'X-Flotilla-Delivery-ID': 'forged',
          'X-Extra': 'kept',
        },
      }),
      config,
      NOW,
    );
    expect(headers['x-tenant']).toBe('endpoint');
    expect(headers['webhook-id']).toBe('0193a000-0000-7000-8000-000000000001');
    expect(headers['x-flotilla-delivery-id']).toBe('0193a000-0000-7000-8000-000000000001');
    expect(headers['x-extra']).toBe('kept');
  });

  it('leaves out stored headers that could never be sent', () => {
    const { headers } = buildDeliveryRequest(
      row({
        customHeaders: { Host: 'internal.example', 'Content-Length': '1', 'X-Ok': 'yes' },
        eventHeaders: { 'X-Bad': 'caf\u00e9 \u2603' },
      }),
      config,
      NOW,
    );
    expect(headers['host']).toBeUndefined();
    expect(headers['content-length']).toBeUndefined();
    expect(headers['x-bad']).toBeUndefined();
    expect(headers['x-ok']).toBe('yes');
  });

  it('masks credential-like custom headers in what the attempt log keeps, and sends them', () => {
    const { headers, loggedHeaders } = buildDeliveryRequest(
      row({
        customHeaders: { Authorization: 'Bearer a', 'X-Api-Key': 'b', 'X-Team': 'c' },
        eventHeaders: { 'X-Session-Token': 'd' },
      }),
      config,
      NOW,
    );
    expect(headers).toMatchObject({ authorization: 'Bearer a', 'x-api-key': 'b' });
    expect(loggedHeaders).toMatchObject({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      'x-session-token': '[redacted]',
      'x-team': 'c',
    });
    // Flotilla's own headers are shown as sent, signature included.
    expect(loggedHeaders['webhook-signature']).toBe(headers['webhook-signature']);
  });
});
