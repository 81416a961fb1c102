import type { IngestFailure, Source } from '@flotilla/db';
import { presentIngestFailure, presentSource } from './source-presenters';

const BASE_URL = 'https://hooks.example.com';

const base = {
  id: '0190a4d2-0000-7000-8000-000000000001',
  projectId: '0190a4d2-0000-7000-8000-000000000002',
  name: 'orders',
  type: 'pub_sub',
  maskId: 'm',
  provider: null,
  verifier: null,
  idempotencyKeys: [],
  credentials: new Uint8Array([1, 2, 3]),
  status: 'active',
  createdAt: new Date(0),
  updatedAt: new Date(0),
  deletedAt: null,
} as const;

describe('source presenters', () => {
  it('shows an SQS source with its secrets masked (the access key id by its last 4 characters)', () => {
    const source = {
      ...base,
      pubSub: {
        type: 'sqs',
        workers: 2,
        sqs: { queue_name: 'q', default_region: 'us-east-1', access_key_id_hint: 'WXYZ' },
      },
    } as unknown as Source;
    const shown = presentSource(source, BASE_URL);
    expect(shown).toMatchObject({
      uid: base.id,
      is_disabled: false,
      pub_sub: {
        type: 'sqs',
        workers: 2,
        sqs: { access_key_id: '********WXYZ', secret_key: '********', endpoint: '' },
        google: null,
      },
    });
    expect(JSON.stringify(shown)).not.toContain('credentials');
  });

  it('shows a paused Google source without its key', () => {
    const source = {
      ...base,
      status: 'paused',
      pubSub: {
        type: 'google',
        workers: 1,
        google: { project_id: 'p', subscription_id: 's', client_email: 'a@b' },
      },
    } as unknown as Source;
    expect(presentSource(source, BASE_URL)).toMatchObject({
      is_disabled: true,
      pub_sub: { google: { service_account: '********', client_email: 'a@b' }, sqs: null },
    });
  });

  it('says when a failure’s payload copy was cut', () => {
    const failure = {
      id: 'f',
      projectId: 'p',
      sourceId: 's',
      brokerMessageId: 'm',
      reason: 'too_large',
      detail: 'd',
      payload: 'x'.repeat(8192),
      payloadBytes: 300_000,
      attributes: {},
      createdAt: new Date(0),
    } as IngestFailure;
    expect(presentIngestFailure(failure)).toMatchObject({
      reason: 'too_large',
      payload_bytes: 300_000,
      payload_truncated: true,
    });
  });
});
