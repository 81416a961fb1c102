/**
 * Event log reads at size: seeds a fresh database with 100,000 events and their deliveries (plus
 * another project's rows) by set-based SQL, starts ingest-api, and times list pages over HTTP on
 * loopback for each filter: the first page, then following pages through the cursor; "deep" combos
 * start from a cursor in the middle of the log. Prints p50/p99 per combination and
 * `EXPLAIN (ANALYZE, BUFFERS)` of the query each one runs (built by the same code the API uses).
 *
 *   node tools/bench/run.mjs event-log [--events 100000] [--samples 100] [--per-page 20] [--explain all|none|first]
 */
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import {
  deliveryListQuerySchema,
  deliveryStatusTotalsQuerySchema,
  eventListQuerySchema,
  type DeliveryListQuery,
  type EventListQuery,
} from '@flotilla/contracts';
import {
  deliveryPageQuery,
  deliveryStatusTotalsQuery,
  eventPageQuery,
  idFloor,
  keysetPlan,
} from '@flotilla/db';
import { deliveryFilters, eventFilters, toCursor } from '@flotilla/management';
import {
  createProject,
  explainAnalyze,
  seedEventLog,
  startTestStack,
  stopAll,
  type DemoProject,
  type EventLogSeed,
} from '@flotilla/testing';
import { BENCH_ENV } from './support/bench-env';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    samples: { type: 'string', default: '100' },
    'per-page': { type: 'string', default: '20' },
    explain: { type: 'string', default: 'all' },
  },
});
const totalEvents = Number(values.events);
const samples = Number(values.samples);
const perPage = Number(values['per-page']);

type Query = Record<string, string | string[]>;

interface Combo {
  name: string;
  resource: 'events' | 'eventdeliveries' | 'eventdeliveries/statustotals';
  query: Query;
}

function combos(seed: EventLogSeed, middleCursor: string): Combo[] {
  const day = (offset: number): string =>
    new Date(seed.to.getTime() - offset * 24 * 3600 * 1000).toISOString();
  const oneDay = { startDate: day(15), endDate: day(14) };
  const key = `key-${seed.tag}-${Math.floor(totalEvents / 2 / 3) * 3}`;
  const message = `msg-${seed.tag}-${Math.floor(totalEvents / 2 / 5) * 5}`;
  const deep = { direction: 'next', next_page_cursor: middleCursor };
  return [
    { name: 'events: no filter', resource: 'events', query: {} },
    { name: 'events: no filter, deep (cursor mid-log)', resource: 'events', query: deep },
    {
      name: 'events: no filter, backwards from mid-log',
      resource: 'events',
      query: { direction: 'prev', prev_page_cursor: middleCursor },
    },
    { name: 'events: no filter, sort=ASC', resource: 'events', query: { sort: 'ASC' } },
    { name: 'events: eventType (10%)', resource: 'events', query: { eventType: 'type.3' } },
    {
      name: 'events: eventType (10%), deep',
      resource: 'events',
      query: { eventType: 'type.3', ...deep },
    },
    { name: 'events: eventType (0.1%)', resource: 'events', query: { eventType: 'rare.event' } },
    {
      name: 'events: endpointId (5%)',
      resource: 'events',
      query: { endpointId: [seed.endpointIds[3]!] },
    },
    {
      name: 'events: endpointId x2',
      resource: 'events',
      query: { endpointId: [seed.endpointIds[3]!, seed.endpointIds[7]!] },
    },
    { name: 'events: sourceId', resource: 'events', query: { sourceId: seed.sourceIds[1]! } },
    { name: 'events: idempotencyKey', resource: 'events', query: { idempotencyKey: key } },
    { name: 'events: brokerMessageId', resource: 'events', query: { brokerMessageId: message } },
    { name: 'events: one day', resource: 'events', query: oneDay },
    {
      name: 'events: eventType + endpointId + one day',
      resource: 'events',
      query: { eventType: 'type.2', endpointId: [seed.endpointIds[8]!], ...oneDay },
    },
    { name: 'deliveries: no filter', resource: 'eventdeliveries', query: {} },
    {
      name: 'deliveries: no filter, deep (cursor mid-log)',
      resource: 'eventdeliveries',
      query: deep,
    },
    {
      name: 'deliveries: status Failure (10%)',
      resource: 'eventdeliveries',
      query: { status: ['Failure'] },
    },
    {
      name: 'deliveries: status Discarded (1%)',
      resource: 'eventdeliveries',
      query: { status: ['Discarded'] },
    },
    {
      name: 'deliveries: status Failure+Retry',
      resource: 'eventdeliveries',
      query: { status: ['Failure', 'Retry'] },
    },
    {
      name: 'deliveries: status Discarded, deep',
      resource: 'eventdeliveries',
      query: { status: ['Discarded'], ...deep },
    },
    {
      name: 'deliveries: endpointId (5%)',
      resource: 'eventdeliveries',
      query: { endpointId: [seed.endpointIds[4]!] },
    },
    {
      name: 'deliveries: subscriptionId',
      resource: 'eventdeliveries',
      query: { subscriptionId: seed.subscriptionIds[4]! },
    },
    {
      name: 'deliveries: eventType (0.1%)',
      resource: 'eventdeliveries',
      query: { eventType: 'rare.event' },
    },
    {
      name: 'deliveries: idempotencyKey',
      resource: 'eventdeliveries',
      query: { idempotencyKey: key },
    },
    {
      name: 'deliveries: brokerMessageId',
      resource: 'eventdeliveries',
      query: { brokerMessageId: message },
    },
    { name: 'deliveries: one day', resource: 'eventdeliveries', query: oneDay },
    {
      name: 'deliveries: status Failure + endpointId + one day',
      resource: 'eventdeliveries',
      query: { status: ['Failure'], endpointId: [seed.endpointIds[12]!], ...oneDay },
    },
    { name: 'statustotals: no filter', resource: 'eventdeliveries/statustotals', query: {} },
    {
      name: 'statustotals: endpointId',
      resource: 'eventdeliveries/statustotals',
      query: { endpointId: [seed.endpointIds[4]!] },
    },
    { name: 'statustotals: one day', resource: 'eventdeliveries/statustotals', query: oneDay },
  ];
}

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    for (const item of [value].flat()) params.append(name, item);
  return params.toString();
}

/** The SQL the API runs for a combination, built by the same functions from the same parsed query. */
function sqlOf(projectId: string, combo: Combo): { text: string; values: unknown[] } {
  if (combo.resource === 'events') {
    const query: EventListQuery = eventListQuerySchema.parse({
      perPage: String(perPage),
      ...combo.query,
    });
    return eventPageQuery(
      projectId,
      eventFilters(query),
      keysetPlan({ ...toCursor(query), sort: query.sort }),
    );
  }
  if (combo.resource === 'eventdeliveries') {
    const query: DeliveryListQuery = deliveryListQuerySchema.parse({
      perPage: String(perPage),
      ...combo.query,
    });
    return deliveryPageQuery(
      projectId,
      deliveryFilters(query),
      keysetPlan({ ...toCursor(query), sort: query.sort }),
    );
  }
  return deliveryStatusTotalsQuery(
    projectId,
    deliveryFilters(deliveryStatusTotalsQuerySchema.parse(combo.query)),
  );
}

interface PageAnswer {
  content?: unknown[];
  pagination?: {
    has_next_page: boolean;
    next_page_cursor: string;
    has_prev_page: boolean;
    prev_page_cursor: string;
  };
}

/**
 * Times `samples` requests: the combination's own page first, then each following page through
 * its cursor (in the combination's direction), starting over when the list ends.
 */
async function timeCombo(
  project: DemoProject,
  combo: Combo,
): Promise<{ latencies: number[]; rows: number; pages: number }> {
  const base = `/api/v1/projects/${project.projectId}/${combo.resource}`;
  const backwards = combo.query['direction'] === 'prev';
  let query: Query = { perPage: String(perPage), ...combo.query };
  const latencies: number[] = [];
  let rows = 0;
  let pages = 0;
  for (let i = 0; i < samples; i += 1) {
    const started = performance.now();
    const response = await project.api.get<PageAnswer>(`${base}?${queryString(query)}`);
    latencies.push(performance.now() - started);
    if (response.status !== 200)
      throw new Error(`${combo.name}: ${response.status} ${JSON.stringify(response.body)}`);
    const page = response.body.data;
    rows += page.content?.length ?? 0;
    pages += 1;
    const pagination = page.pagination;
    if (!pagination) continue;
    if (!backwards && pagination.has_next_page) {
      query = { ...query, direction: 'next', next_page_cursor: pagination.next_page_cursor };
    } else if (backwards && pagination.has_prev_page) {
      query = { ...query, direction: 'prev', prev_page_cursor: pagination.prev_page_cursor };
    } else {
      query = { perPage: String(perPage), ...combo.query };
    }
  }
  return { latencies, rows, pages };
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const round = (ms: number): number => Math.round(ms * 10) / 10;

async function main(): Promise<void> {
  const stack = await startTestStack(['ingest-api'], BENCH_ENV);
  const client = new Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    const project = await createProject(stack.admin, 'bench');
    const noise = await createProject(stack.admin, 'bench-noise');
    let started = performance.now();
    await seedEventLog(client, { projectId: noise.projectId, events: Math.round(totalEvents / 5) });
    const seed = await seedEventLog(client, { projectId: project.projectId, events: totalEvents });
    const seedSeconds = (performance.now() - started) / 1000;
    const middleCursor = idFloor(new Date((seed.from.getTime() + seed.to.getTime()) / 2));
    const list = combos(seed, middleCursor);

    // Warm up connections, the Prisma client and Postgres's cache, as a live service would be.
    for (const combo of list) await timeCombo(project, combo);
    started = performance.now();
    const results: Record<string, unknown>[] = [];
    for (const combo of list) {
      const { latencies, rows, pages } = await timeCombo(project, combo);
      latencies.sort((a, b) => a - b);
      results.push({
        combination: combo.name,
        requests: pages,
        rows_per_page: round(rows / pages),
        p50_ms: round(percentile(latencies, 50)),
        p99_ms: round(percentile(latencies, 99)),
        max_ms: round(latencies.at(-1) ?? 0),
      });
    }
    // The acceptance bar is for list pages; status totals count every matching row and are reported apart.
    const pages = results.filter(
      (result) => !String(result['combination']).startsWith('statustotals'),
    );
    const worst = (field: string, rows: Record<string, unknown>[]): number =>
      Math.max(...rows.map((result) => result[field] as number));
    process.stdout.write(
      `${JSON.stringify(
        {
          events: totalEvents,
          deliveries: totalEvents,
          other_project_events: Math.round(totalEvents / 5),
          seed_seconds: round(seedSeconds),
          per_page: perPage,
          samples_per_combination: samples,
          measure_seconds: round((performance.now() - started) / 1000),
          list_pages_worst_p50_ms: worst('p50_ms', pages),
          list_pages_worst_p99_ms: worst('p99_ms', pages),
          list_pages_under_100ms_p99: worst('p99_ms', pages) < 100,
          statustotals_worst_p99_ms: worst(
            'p99_ms',
            results.filter((result) => !pages.includes(result)),
          ),
        },
        null,
        2,
      )}\n`,
    );
    console.table(results);

    if (values.explain !== 'none') {
      const explained = values.explain === 'first' ? list.slice(0, 1) : list;
      for (const combo of explained) {
        process.stdout.write(`\n=== EXPLAIN (ANALYZE, BUFFERS): ${combo.name} ===\n`);
        process.stdout.write(`${await explainAnalyze(client, sqlOf(project.projectId, combo))}\n`);
      }
    }
  } finally {
    await client.end();
    await stopAll(stack);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
