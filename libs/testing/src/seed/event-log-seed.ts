import { newId } from '@flotilla/contracts';
import type { Client } from 'pg';

/**
 * A large event log made with a few set-based statements (100,000 events in seconds), for the
 * event-log benchmark and the index-usage test. The rows look like the route stage's: UUIDv7 ids
 * spread over `days` up to now (a delivery's id shares its event's time prefix), varied event types,
 * endpoints, statuses, sources, broker message ids and idempotency keys.
 */
export interface EventLogSeedOptions {
  projectId: string;
  events: number;
  endpoints?: number;
  days?: number;
}

export interface EventLogSeed {
  projectId: string;
  endpointIds: string[];
  subscriptionIds: string[];
  sourceIds: string[];
  /** Common types (each about a tenth of the events) then `rare.event` (one in a thousand). */
  eventTypes: string[];
  /** The time range of the events' ids. */
  from: Date;
  to: Date;
  /** Event n (counting from 0) has idempotency key `key-<tag>-<n>` when n % 3 = 0, broker message id `msg-<tag>-<n>` when n % 5 = 0. */
  tag: string;
}

/** Percent of the seeded deliveries in each status. */
export const SEED_STATUS_SHARE = {
  Success: 80,
  Failure: 10,
  Retry: 5,
  Scheduled: 4,
  Discarded: 1,
} as const;

export async function seedEventLog(
  client: Client,
  options: EventLogSeedOptions,
): Promise<EventLogSeed> {
  const endpointCount = options.endpoints ?? 20;
  const days = options.days ?? 30;
  const endpointIds = Array.from({ length: endpointCount }, () => newId());
  const subscriptionIds = Array.from({ length: endpointCount }, () => newId());
  const sourceIds = Array.from({ length: 4 }, () => newId());
  const eventTypes = [...Array.from({ length: 10 }, (_, i) => `type.${i}`), 'rare.event'];
  const to = new Date();
  const from = new Date(to.getTime() - days * 24 * 3600 * 1000);
  const tag = newId().slice(-8);

  await client.query(
    `INSERT INTO endpoints (id, project_id, name, url, secrets)
     SELECT id, $1::uuid, 'seed-' || ord, 'http://127.0.0.1:9/seed/' || ord, '[]'::jsonb
     FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, ord)`,
    [options.projectId, endpointIds],
  );
  await client.query(
    `INSERT INTO subscriptions (id, project_id, name, endpoint_id)
     SELECT s.id, $1::uuid, 'seed-' || s.ord, e.id
     FROM unnest($2::uuid[]) WITH ORDINALITY AS s(id, ord)
     JOIN unnest($3::uuid[]) WITH ORDINALITY AS e(id, ord) ON e.ord = s.ord`,
    [options.projectId, subscriptionIds, endpointIds],
  );
  // Event n: time from + n * step; type n % 10 (every 1000th is rare); endpoint a hash of n; every
  // 5th from a source (with a broker message id), every 3rd keyed. Its delivery goes to its endpoint.
  await client.query('BEGIN');
  try {
    await client.query(
      `CREATE TEMP TABLE seed_events ON COMMIT DROP AS
       SELECT n,
              floor($2::float8 + n * $3::float8)::bigint AS ms,
              CASE WHEN n % 1000 = 999 THEN 'rare.event' ELSE 'type.' || (n % 10) END AS event_type,
              ((n * 7919) % $4::int) + 1 AS endpoint_ord,
              CASE WHEN n % 5 = 0 THEN (n / 5) % 4 + 1 END AS source_ord,
              CASE WHEN n % 3 = 0 THEN 'key-' || $5::text || '-' || n END AS idempotency_key,
              n % 100 AS bucket,
              md5($5::text || n) AS h1, md5($5::text || 'd' || n) AS h2
       FROM generate_series(0, $1::int - 1) AS n`,
      [
        options.events,
        from.getTime(),
        (to.getTime() - from.getTime()) / options.events,
        endpointCount,
        tag,
      ],
    );
    await client.query(
      `CREATE TEMP TABLE seed_ids ON COMMIT DROP AS
       SELECT s.*, to_timestamp(s.ms / 1000.0) AS at,
              (substr(t.p, 1, 8) || '-' || substr(t.p, 9, 4) || '-7' || substr(s.h1, 1, 3) || '-8' || substr(s.h1, 4, 3)
                || '-' || substr(s.h1, 7, 12))::uuid AS event_id,
              (substr(t.p, 1, 8) || '-' || substr(t.p, 9, 4) || '-7' || substr(s.h2, 1, 3) || '-9' || substr(s.h2, 4, 3)
                || '-' || substr(s.h2, 7, 12))::uuid AS delivery_id
       FROM seed_events s, LATERAL (SELECT lpad(to_hex(s.ms), 12, '0') AS p) t`,
    );
    await client.query(
      `INSERT INTO events (id, project_id, event_type, raw_data, headers, target_kind, endpoint_id, idempotency_key,
                           source_id, broker_message_id, accepted_at, created_at)
       SELECT s.event_id, $1::uuid, s.event_type,
              '{"seq":' || s.n || ',"payload":"' || repeat('x', 200) || '"}', '{}'::jsonb, 'single',
              ($2::uuid[])[s.endpoint_ord], s.idempotency_key,
              ($3::uuid[])[s.source_ord], CASE WHEN s.source_ord IS NOT NULL THEN 'msg-' || $4::text || '-' || s.n END,
              s.at, s.at + interval '5 milliseconds'
       FROM seed_ids s`,
      [options.projectId, endpointIds, sourceIds, tag],
    );
    await client.query(
      `INSERT INTO event_deliveries (id, project_id, event_id, endpoint_id, subscription_id, event_type, status,
                                     attempt_count, next_attempt_at, latency_ms, created_at, updated_at)
       SELECT s.delivery_id, $1::uuid, s.event_id, ($2::uuid[])[s.endpoint_ord], ($3::uuid[])[s.endpoint_ord],
              s.event_type,
              (CASE WHEN s.bucket < 80 THEN 'Success' WHEN s.bucket < 90 THEN 'Failure' WHEN s.bucket < 95 THEN 'Retry'
                    WHEN s.bucket < 99 THEN 'Scheduled' ELSE 'Discarded' END)::"DeliveryStatus",
              CASE WHEN s.bucket < 99 THEN 1 ELSE 0 END,
              -- Far in the future: the scheduler of a running stack must not pick seeded rows up.
              now() + interval '30 days', 20 + s.n % 50, s.at + interval '6 milliseconds', s.at + interval '6 milliseconds'
       FROM seed_ids s`,
      [options.projectId, endpointIds, subscriptionIds],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  // Fresh statistics and visibility map, as a long-running database would have.
  await client.query('VACUUM ANALYZE events, event_deliveries, endpoints, subscriptions');
  return {
    projectId: options.projectId,
    endpointIds,
    subscriptionIds,
    sourceIds,
    eventTypes,
    from,
    to,
    tag,
  };
}

/** A query as Prisma builds it (`Prisma.sql`): text with `$n` placeholders and its values. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}

/** `EXPLAIN (ANALYZE, BUFFERS)` of a query, as text. */
export async function explainAnalyze(client: Client, query: SqlQuery): Promise<string> {
  const result = await client.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS) ${query.text}`,
    query.values,
  );
  return result.rows.map((row) => row['QUERY PLAN']).join('\n');
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** The tables a query's plan reads with a sequential scan (empty when every read uses an index). */
export async function seqScannedTables(client: Client, query: SqlQuery): Promise<string[]> {
  const result = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
    `EXPLAIN (FORMAT JSON) ${query.text}`,
    query.values,
  );
  const found: string[] = [];
  const walk = (node: PlanNode): void => {
    if (node['Node Type'] === 'Seq Scan') found.push(node['Relation Name'] ?? '?');
    node.Plans?.forEach(walk);
  };
  const plan = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (plan) walk(plan);
  return found;
}
