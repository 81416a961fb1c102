/**
 * The systems the report offers load to: three baselines and Flotilla's scenarios. Each is
 * started alone, measured, and stopped before the next, so none competes with another for the
 * cores. All send the same ~1 KB JSON body (`{"n":…,"payload":…}`) to the same receiver.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import {
  createDatabase,
  createProject,
  dropDatabase,
  freePort,
  startKafkaMock,
  startTestStack,
  stopAll,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';
import type { ArrivalReceiver } from './arrival-receiver';
import { BENCH_ENV } from './bench-env';
import type { SystemUnderTest } from './step-runner';
import { MINIMAL_PIPELINE_TOPIC } from '../baselines/minimal-pipeline-topic';

export interface RunningSystem extends SystemUnderTest {
  stop: () => Promise<void>;
}

const payload = 'x'.repeat(960);
/** The event data every system carries: the receiver finds `"n":` in it. */
export const eventData = (n: number): string => `{"n":${String(n)},"payload":"${payload}"}`;
const json = { 'content-type': 'application/json' };
const benchSecret = Buffer.from('bench-secret-bench-secret-32byte');

function poolFor(url: string): Pool {
  return new Pool(url, { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 });
}

async function post(
  pool: Pool,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<number> {
  const response = await pool.request({ method: 'POST', path, headers, body });
  await response.body.dump();
  return response.statusCode;
}

/** L1: the generator posts straight to the receiver. The ceiling of the measuring rig itself. */
export function receiverOnly(receiver: ArrivalReceiver): RunningSystem {
  const pool = poolFor(receiver.baseUrl);
  return {
    name: 'L1 generator → receiver',
    send: (n) => post(pool, '/ok/0', eventData(n), json),
    recipients: () => [0],
    stop: () => pool.close(),
  };
}

/** L2: a bare script that signs each body (Standard Webhooks HMAC) and posts it. */
export function signAndPost(receiver: ArrivalReceiver): RunningSystem {
  const pool = poolFor(receiver.baseUrl);
  return {
    name: 'L2 sign and POST',
    send: (n) => {
      const body = eventData(n);
      const id = randomUUID();
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac('sha256', benchSecret)
        .update(`${id}.${timestamp}.${body}`)
        .digest('base64');
      return post(pool, '/ok/0', body, {
        ...json,
        'webhook-id': id,
        'webhook-timestamp': timestamp,
        'webhook-signature': `v1,${signature}`,
      });
    },
    recipients: () => [0],
    stop: () => pool.close(),
  };
}

function startProcess(
  mode: 'ingest' | 'deliver',
  env: Record<string, string>,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [path.join(__dirname, '../baselines/minimal-pipeline.js'), mode],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      reject(new Error(`L6 ${mode} exited with ${String(code)}`));
    });
    createInterface({ input: child.stdout }).once('line', () => {
      resolve(child);
    });
  });
}

/** L6: the hand-written minimal pipeline (see baselines/minimal-pipeline.ts), two processes. */
export async function minimalPipeline(receiver: ArrivalReceiver): Promise<RunningSystem> {
  const kafka = await startKafkaMock({
    topics: [{ name: MINIMAL_PIPELINE_TOPIC, partitions: 12 }],
  });
  const databaseName = `flotilla_bench_l6_${randomUUID().slice(0, 8)}`;
  const databaseUrl = await createDatabase(databaseName);
  const port = await freePort();
  const env = {
    L6_PORT: String(port),
    L6_BROKERS: kafka.bootstrap,
    L6_DATABASE_URL: databaseUrl,
    L6_TARGET: receiver.url('ok', 0),
  };
  const processes = [await startProcess('deliver', env), await startProcess('ingest', env)];
  const pool = poolFor(`http://127.0.0.1:${String(port)}`);
  return {
    name: 'L6 minimal pipeline',
    send: (n) => post(pool, '/events', eventData(n), json),
    recipients: () => [0],
    stop: async () => {
      await pool.close();
      for (const child of processes) {
        child.removeAllListeners('exit');
        child.kill('SIGKILL');
      }
      await kafka.stop();
      await dropDatabase(databaseName);
    },
  };
}

export interface FlotillaScenario {
  name: string;
  /** Endpoint `index`'s URL on the receiver and its extra fields. */
  endpoints: number;
  endpointBody: (index: number) => Record<string, unknown>;
  /** `single`: event n goes to endpoint `target(n)`; `fanout`: to every endpoint (owner "fan"). */
  route: 'single' | 'fanout';
  target: (n: number) => number;
  recipients: (n: number) => readonly number[];
}

/** Every endpoint pays for a rate limit (far above the load) and signing, as in production. */
const everyFeature = { rate_limit: 1_000_000, rate_limit_duration: 1 };

export function flotillaScenarios(receiver: ArrivalReceiver): Record<string, FlotillaScenario> {
  const ok = (index: number): Record<string, unknown> => ({
    url: receiver.url('ok', index),
    ...everyFeature,
  });
  return {
    'one endpoint': {
      name: 'one endpoint',
      endpoints: 1,
      endpointBody: ok,
      route: 'single',
      target: () => 0,
      recipients: () => [0],
    },
    '1,000 endpoints': {
      name: '1,000 endpoints',
      endpoints: 1000,
      endpointBody: ok,
      route: 'single',
      target: (n) => n % 1000,
      recipients: (n) => [n % 1000],
    },
    'fan-out 1 → 100': {
      name: 'fan-out 1 → 100',
      endpoints: 100,
      endpointBody: (index) => ({ ...ok(index), owner_id: 'fan' }),
      route: 'fanout',
      target: () => 0,
      recipients: () => Array.from({ length: 100 }, (_, index) => index),
    },
    '10 % of endpoints failing': {
      name: '10 % of endpoints failing',
      endpoints: 100,
      endpointBody: (index) =>
        index < 10 ? { url: receiver.url('fail', index), ...everyFeature } : ok(index),
      route: 'single',
      target: (n) => n % 100,
      recipients: (n) => (n % 100 < 10 ? [] : [n % 100]),
    },
    'one endpoint timing out': {
      name: 'one endpoint timing out',
      endpoints: 10,
      endpointBody: (index) =>
        index === 0
          ? { url: receiver.url('hang', index), http_timeout: 5, ...everyFeature }
          : ok(index),
      route: 'single',
      target: (n) => n % 10,
      recipients: (n) => (n % 10 === 0 ? [] : [n % 10]),
    },
  };
}

/** Flotilla as `npm start` runs it (ingest-api, dispatcher, scheduler), responses unchecked. */
export function startFlotilla(extraEnv: Record<string, string> = {}): Promise<TestStack> {
  return startTestStack(['ingest-api', 'dispatcher', 'scheduler'], { ...BENCH_ENV, ...extraEnv });
}

export function stopFlotilla(stack: TestStack): Promise<void> {
  return stopAll(stack);
}

/** A fresh project with the scenario's endpoints on a running Flotilla. */
export async function flotillaSystem(
  stack: TestStack,
  scenario: FlotillaScenario,
  label = 'Flotilla',
): Promise<RunningSystem> {
  const project: DemoProject = await createProject(stack.admin, `bench ${scenario.name}`);
  const ids: string[] = [];
  for (let index = 0; index < scenario.endpoints; index += 20) {
    const batch = Array.from({ length: Math.min(20, scenario.endpoints - index) }, (_, offset) =>
      project.api.expect<{ uid: string }>(
        201,
        'POST',
        `/api/v1/projects/${project.projectId}/endpoints`,
        { name: `bench-${String(index + offset)}`, ...scenario.endpointBody(index + offset) },
      ),
    );
    ids.push(...(await Promise.all(batch)).map((endpoint) => endpoint.uid));
  }
  const pool = poolFor(stack.service('ingest-api').url);
  const headers = { ...json, authorization: `Bearer ${project.apiKey}` };
  const events = `/api/v1/projects/${project.projectId}/events`;
  return {
    name: `${label}, ${scenario.name}`,
    send: (n) =>
      scenario.route === 'fanout'
        ? post(
            pool,
            `${events}/fanout`,
            `{"owner_id":"fan","event_type":"bench.event","data":${eventData(n)}}`,
            headers,
          )
        : post(
            pool,
            events,
            `{"endpoint_id":"${ids[scenario.target(n)]!}","event_type":"bench.event","data":${eventData(n)}}`,
            headers,
          ),
    recipients: scenario.recipients,
    stop: () => pool.close(),
  };
}
