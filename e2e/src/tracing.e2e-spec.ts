import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createEndpoint,
  createProject,
  createSubscription,
  eventually,
  projectPath,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
}

interface OtlpJson {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: {
      spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string }[];
    }[];
  }[];
}

/** A loopback OTLP/HTTP (JSON) collector: keeps every span it is sent. */
async function startCollector(): Promise<{ url: string; spans: CollectedSpan[]; server: Server }> {
  const spans: CollectedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpJson;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service =
            resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value
              .stringValue ?? '?';
          for (const scope of resourceSpans.scopeSpans ?? [])
            for (const span of scope.spans ?? [])
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
              });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, spans, server };
}

describe('tracing: one event, one trace from POST to the receiver', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let collector: Awaited<ReturnType<typeof startCollector>>;

  beforeAll(async () => {
    collector = await startCollector();
    stack = await startTestStack(['ingest-api', 'dispatcher'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    });
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
    collector.server.close();
  });

  it('links spans of ingest-api and the dispatcher by one trace id, which the attempt records', async () => {
    const project = await createProject(stack.admin, 'Tracing');
    const endpoint = await createEndpoint(project, { name: 'receiver', url: receiver.url });
    await createSubscription(project, {
      name: 'all',
      endpoint_id: endpoint.uid,
      filter_config: { event_types: ['*'] },
    });
    const event = await project.api.expect<{ uid: string }>(
      201,
      'POST',
      projectPath(project, 'events'),
      {
        endpoint_id: endpoint.uid,
        event_type: 'order.paid',
        data: { id: 1 },
      },
    );
    const [request] = await receiver.waitForRequests(1);
    const traceparent = String(request!.headers['traceparent']);
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    const traceId = traceparent.split('-')[1]!;

    const spans = await eventually(() => {
      const mine = collector.spans.filter((span) => span.traceId === traceId);
      expect(mine.map((span) => `${span.service} ${span.name}`).sort()).toEqual(
        expect.arrayContaining([
          'flotilla-ingest-api POST /api/v1/projects/:projectID/events',
          'flotilla-ingest-api publish flotilla.events.v1',
          'flotilla-dispatcher route',
          'flotilla-dispatcher deliver',
        ]),
      );
      // Handed to the deliver stage in-process (the dispatcher owns the endpoint) or through the
      // deliveries topic: either way a span of the dispatcher continues the trace.
      expect(mine.map((span) => span.name)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^deliver\.(handoff|consume)$/)]),
      );
      // Database queries made for the event show in its trace too.
      expect(mine.some((span) => span.name.startsWith('prisma:'))).toBe(true);
      return Promise.resolve(mine);
    }, 30_000);
    // One trace: every span but the first has its parent in the trace.
    const ids = new Set(spans.map((span) => span.spanId));
    expect(spans.filter((span) => !ids.has(span.parentSpanId)).map((span) => span.name)).toEqual([
      'POST /api/v1/projects/:projectID/events',
    ]);
    // Queries outside any trace (the consumers' batch queries, the scheduler's polling) are not
    // exported as traces of their own.
    const traces = new Map<string, string[]>();
    for (const span of collector.spans)
      traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span.name]);
    expect(
      [...traces.values()].filter((names) => names.every((n) => n.startsWith('prisma:'))),
    ).toEqual([]);
    // The receiver's traceparent is the deliver span's.
    const deliver = spans.find((span) => span.name === 'deliver')!;
    expect(traceparent.split('-')[2]).toBe(deliver.spanId);

    // The attempt records the trace id (its request headers, as sent).
    await eventually(async () => {
      const deliveries = await project.api.expect<{ content: { uid: string; status: string }[] }>(
        200,
        'GET',
        projectPath(project, `eventdeliveries?eventId=${event.uid}`),
      );
      expect(deliveries.content[0]?.status).toBe('Success');
      const attempts = await project.api.expect<{ request_http_header: Record<string, string> }[]>(
        200,
        'GET',
        projectPath(project, `eventdeliveries/${deliveries.content[0]!.uid}/deliveryattempts`),
      );
      expect(attempts[0]?.request_http_header['traceparent']).toBe(traceparent);
    });
  });
});
