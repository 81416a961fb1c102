import {
  createEndpoint,
  createProject,
  createSubscription,
  eventually,
  metricValue,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(300_000);

const ENDPOINTS = 100;
const EVENTS = 1000;
// Every tenth endpoint fails its first attempt, so retries show in the outcome label too.
const FLAKY = 10;

/** The series of one metric family in a scrape: `name{labels} value` lines. */
function series(scrape: string, name: string): string[] {
  return scrape
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

/** Every series of every `flotilla_` family in a scrape. */
function flotillaSeries(scrape: string): string[] {
  return scrape.split('\n').filter((line) => line.startsWith('flotilla_'));
}

describe('metrics an operator can alert and graph on', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let project: DemoProject;
  const scrapes = new Map<string, string>();

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler'], {
      // Retries come back quickly so the run settles within the test.
      LOG_LEVEL: 'warn',
    });
    const failedOnce = new Set<string>();
    receiver = await WebhookReceiver.start((request) => {
      const path = request.path;
      const flaky = Number(/\/e(\d+)$/.exec(path)?.[1] ?? 0) % (ENDPOINTS / FLAKY) === 0;
      if (flaky && !failedOnce.has(path)) {
        failedOnce.add(path);
        return { status: 500, body: 'try again' };
      }
      return { status: 200, body: 'ok' };
    });
    project = await createProject(stack.admin, 'Metrics', {
      strategy: { type: 'linear', duration: 1, retry_count: 3 },
    });
    const endpoints: string[] = [];
    for (let index = 0; index < ENDPOINTS; index += 1) {
      const endpoint = await createEndpoint(project, {
        name: `e${index}`,
        url: `${receiver.url}/e${index}`,
      });
      await createSubscription(project, {
        name: `s${index}`,
        endpoint_id: endpoint.uid,
        filter_config: { event_types: ['*'] },
      });
      endpoints.push(endpoint.uid);
    }
    const path = `/api/v1/projects/${project.projectId}/events`;
    for (let start = 0; start < EVENTS; start += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, offset) =>
          project.api.expect(201, 'POST', path, {
            endpoint_id: endpoints[(start + offset) % ENDPOINTS],
            event_type: 'order.paid',
            data: { n: start + offset },
          }),
        ),
      );
    }
    // Unknown routes and ids in paths must not make new series.
    for (let index = 0; index < 20; index += 1) {
      await fetch(`${stack.service('ingest-api').url}/no/such/path/${index}`);
      await project.api.request('GET', `/api/v1/projects/${project.projectId}/events/e-${index}`);
    }
    await eventually(async () => {
      const scrape = await stack.service('dispatcher').metrics();
      expect(metricValue(scrape, 'flotilla_delivery_attempts_total', { outcome: 'success' })).toBe(
        EVENTS,
      );
    }, 180_000);
    for (const [name, service] of stack.services) scrapes.set(name, await service.metrics());
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  it('ingest-api counts requests by route template, method and status class', () => {
    const scrape = scrapes.get('ingest-api')!;
    expect(
      metricValue(scrape, 'flotilla_http_requests_total', {
        method: 'POST',
        route: '/api/v1/projects/:projectID/events',
        status_class: '2xx',
      }),
    ).toBe(EVENTS);
    expect(metricValue(scrape, 'flotilla_http_requests_total', { route: 'unmatched' })).toBe(20);
    expect(series(scrape, 'flotilla_http_request_duration_seconds_bucket').length).toBeGreaterThan(
      0,
    );
    // No raw path (ids) ever becomes a label value.
    expect(scrape).not.toContain(project.projectId);
    expect(scrape).not.toContain('/no/such/path');
  });

  it('the dispatcher exports outcomes, end-to-end latency, breakers, dead letters, lag and meta drops', () => {
    const scrape = scrapes.get('dispatcher')!;
    expect(metricValue(scrape, 'flotilla_delivery_attempts_total', { outcome: 'retry' })).toBe(
      FLAKY,
    );
    expect(metricValue(scrape, 'flotilla_delivery_end_to_end_seconds_count')).toBe(EVENTS);
    expect(series(scrape, 'flotilla_endpoint_breakers').sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^flotilla_endpoint_breakers\{state="closed"\} \d+$/),
        'flotilla_endpoint_breakers{state="open"} 0',
        'flotilla_endpoint_breakers{state="half_open"} 0',
      ]),
    );
    expect(scrape).toMatch(
      /^flotilla_kafka_dead_letters_total\{topic="flotilla\.events\.v1"\} 0$/m,
    );
    expect(scrape).toMatch(
      /^flotilla_kafka_dead_letters_total\{topic="flotilla\.deliveries\.v1"\} 0$/m,
    );
    const lag = series(scrape, 'flotilla_kafka_consumer_lag_messages');
    expect(lag.length).toBeGreaterThan(0);
    expect(lag[0]).toMatch(
      /^flotilla_kafka_consumer_lag_messages\{group="flotilla-dispatcher-(route|deliver)",topic="flotilla\.(events|deliveries)\.v1",partition="\d+"\} \d+$/,
    );
    expect(scrape).toMatch(/^flotilla_meta_events_dropped_total 0$/m);
  });

  it('the scheduler exports its due backlog and the age of the oldest due delivery', () => {
    const scrape = scrapes.get('scheduler')!;
    expect(scrape).toMatch(/^flotilla_scheduler_due_deliveries \d+$/m);
    expect(scrape).toMatch(/^flotilla_scheduler_oldest_due_age_seconds [\d.e+-]+$/m);
  });

  it('every service exports Node default metrics under their stock names', () => {
    for (const scrape of scrapes.values()) {
      expect(scrape).toMatch(/^process_cpu_seconds_total /m);
      expect(scrape).toMatch(/^nodejs_heap_size_used_bytes /m);
      expect(scrape).not.toMatch(/^flotilla_process_/m);
    }
  });

  it('keeps label cardinality bounded: series do not grow with events, endpoints or paths', () => {
    const counts = Object.fromEntries(
      [...scrapes].map(([name, scrape]) => [name, flotillaSeries(scrape).length]),
    );
    // Measured after 1,000 events to 100 endpoints; none of these depends on those numbers.
    console.log('flotilla_ series per service', counts);
    for (const count of Object.values(counts)) expect(count).toBeLessThan(ENDPOINTS * 2);
    // Per family, distinct label sets (histogram buckets aside) stay a handful.
    for (const scrape of scrapes.values()) {
      const families = new Map<string, Set<string>>();
      for (const line of flotillaSeries(scrape)) {
        const [, name, labels] = /^(\w+?)(?:_bucket|_sum|_count)?(\{[^}]*\})? /.exec(line) ?? [];
        const key = (labels ?? '').replace(/,?le="[^"]*"/, '');
        families.set(name!, (families.get(name!) ?? new Set()).add(key));
      }
      for (const [name, sets] of families) expect([name, sets.size <= 32]).toEqual([name, true]);
    }
    for (const scrape of scrapes.values()) {
      const labelled = flotillaSeries(scrape).join('\n');
      expect(labelled).not.toMatch(/endpoint(_id)?="/);
      expect(labelled).not.toMatch(/project(_id)?="/);
    }
  });
});
