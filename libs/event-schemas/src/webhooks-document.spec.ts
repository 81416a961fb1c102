import { buildWebhooksDocument } from './webhooks-document';

describe('buildWebhooksDocument', () => {
  const document = buildWebhooksDocument({
    title: 'Acme webhooks',
    eventTypes: [
      {
        name: 'order.paid',
        category: 'orders',
        description: 'An order was paid',
        jsonSchema: { type: 'object', properties: { id: { type: 'string' } } },
        deprecated: false,
      },
      { name: '__proto__', category: '', description: '', jsonSchema: null, deprecated: true },
    ],
  });
  const webhooks = document['webhooks'] as Record<string, { post: Record<string, unknown> }>;

  it('is an OpenAPI 3.1 document with one webhook per event type', () => {
    expect(document['openapi']).toBe('3.1.0');
    expect(Object.keys(webhooks).sort()).toEqual(['__proto__', 'order.paid']);
  });

  it('gives each webhook its schema, an example, its category and deprecation', () => {
    expect(webhooks['order.paid']?.post).toMatchObject({
      summary: 'order.paid',
      description: 'An order was paid',
      tags: ['orders'],
      requestBody: {
        content: {
          'application/json': {
            schema: { type: 'object', properties: { id: { type: 'string' } } },
            example: { id: 'string' },
          },
        },
      },
    });
    expect(webhooks['__proto__']?.post['deprecated']).toBe(true);
  });
});
