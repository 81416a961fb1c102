/**
 * The publishable benchmark (`npm run bench`): Flotilla against hand-written baselines in the same
 * run, with the same open-model generator, body and receiver, written up under tools/bench/results/.
 *
 *   npm run bench -- [--rates 500,1000,2000,3000,4000] [--hold 30] [--warm-up 10] [--drain 20]
 *                    [--scenario-rate 1000] [--fanout-rate 50] [--ingest-rates 2000,4000,8000]
 *                    [--only L1,L2,L6,topic,flotilla,scenarios,ingest] [--out tools/bench/results]
 *                    [--name report-YYYY-MM-DD]
 *
 * Systems, each started alone and stopped before the next:
 *   L1  generator → receiver (the rig's own ceiling)
 *   L2  a bare script that signs each body and posts it
 *   L6  a minimal hand-written pipeline: HTTP → Kafka (acks=all) → consumer → batched insert →
 *       signed POST (baselines/minimal-pipeline.ts)
 *   Flotilla (ingest-api, dispatcher, scheduler; signing, rate limit and breaker on), and Flotilla
 *   with every delivery through the deliveries topic (DISPATCH_LOCAL_HANDOFF=false, `topic`)
 * Every system is first primed (200/s for 5 s, not reported), then offered each rate of `--rates`
 * for `--warm-up` + `--hold` seconds (latency and delivered rate are measured over the hold),
 * until it no longer sustains one (delivered rate within 1 % of offered, nothing missing or
 * refused). Then Flotilla's scenarios at one rate (1,000 endpoints, fan-out to 100, 10 % failing,
 * one timing out) and ingest alone (dispatcher stopped).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { ArrivalReceiver } from './support/arrival-receiver';
import {
  ingestTable,
  latencyPlotSvg,
  stepTable,
  sustainedRate,
  writePng,
  writeText,
} from './support/report-writer';
import { runStep, type StepOptions, type StepResult } from './support/step-runner';
import {
  flotillaScenarios,
  flotillaSystem,
  minimalPipeline,
  receiverOnly,
  signAndPost,
  startFlotilla,
  stopFlotilla,
  type RunningSystem,
} from './support/systems';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '500,1000,2000,3000,4000' },
    hold: { type: 'string', default: '30' },
    'warm-up': { type: 'string', default: '10' },
    drain: { type: 'string', default: '20' },
    'scenario-rate': { type: 'string', default: '1000' },
    'fanout-rate': { type: 'string', default: '50' },
    'ingest-rates': { type: 'string', default: '2000,4000,8000' },
    /** `topic`: also Flotilla with DISPATCH_LOCAL_HANDOFF=false (every delivery through Kafka). */
    only: { type: 'string', default: 'L1,L2,L6,flotilla,topic,scenarios,ingest' },
    out: { type: 'string', default: 'tools/bench/results' },
    /** The report's file name (without extension); default report-YYYY-MM-DD. */
    name: { type: 'string' },
  },
});
const list = (text: string): number[] => text.split(',').map(Number);
const rates = list(values.rates);
const only = new Set(values.only.split(','));
const step = (rate: number): StepOptions => ({
  rate,
  warmUpSeconds: Number(values['warm-up']),
  holdSeconds: Number(values.hold),
  drainSeconds: Number(values.drain),
});

let nextN = 0;
async function measure(
  system: RunningSystem,
  receiver: ArrivalReceiver,
  options: StepOptions,
): Promise<StepResult> {
  const first = nextN;
  nextN += Math.round(options.rate * (options.warmUpSeconds + options.holdSeconds));
  const result = await runStep(system, receiver, first, options);
  process.stdout.write(`${stepTable([result]).split('\n')[2]!}\n`);
  return result;
}

/**
 * Each rate in turn until one is not sustained (higher ones would only pile up a backlog). A
 * first, unreported step at a low rate warms every system alike: connections, JIT, the consumer
 * group's first join.
 */
async function ladder(system: RunningSystem, receiver: ArrivalReceiver): Promise<StepResult[]> {
  await prime(system, receiver);
  const results: StepResult[] = [];
  for (const rate of rates) {
    const result = await measure(system, receiver, step(rate));
    results.push(result);
    if (!result.sustained) break;
  }
  return results;
}

async function prime(system: RunningSystem, receiver: ArrivalReceiver, rate = 200): Promise<void> {
  const options = { ...step(rate), warmUpSeconds: 0, holdSeconds: 5 };
  const first = nextN;
  nextN += rate * 5;
  await runStep(system, receiver, first, options);
}

async function machine(databaseUrl: string | undefined): Promise<string> {
  const cpus = os.cpus();
  const lines = [
    `- Machine: ${String(cpus.length)} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(
      os.totalmem() /
      2 ** 30
    ).toFixed(0)} GiB, ${os.type()} ${os.release()}`,
    `- Node ${process.version}; everything (generator, receiver, services, Kafka mock, Postgres) on this machine`,
  ];
  if (databaseUrl) {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    lines.push(`- PostgreSQL ${rows[0]?.server_version ?? '?'} (synchronous_commit on)`);
    await client.end();
  }
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
    lines.push(`- Flotilla commit ${commit.trim()}`);
  } catch {
    // not a checkout
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const receiver = await ArrivalReceiver.start();
  const ladders: StepResult[] = [];
  const scenarios: StepResult[] = [];
  const ingest: StepResult[] = [];
  let machineText: string | undefined;
  try {
    for (const [key, start] of [
      ['L1', () => Promise.resolve(receiverOnly(receiver))],
      ['L2', () => Promise.resolve(signAndPost(receiver))],
      ['L6', () => minimalPipeline(receiver)],
    ] as const) {
      if (!only.has(key)) continue;
      const system = await start();
      try {
        ladders.push(...(await ladder(system, receiver)));
      } finally {
        await system.stop();
      }
    }
    if (only.has('topic')) {
      const stack = await startFlotilla({ DISPATCH_LOCAL_HANDOFF: 'false' });
      try {
        const system = await flotillaSystem(
          stack,
          flotillaScenarios(receiver)['one endpoint']!,
          'Flotilla without local hand-off',
        );
        ladders.push(...(await ladder(system, receiver)));
        await system.stop();
      } finally {
        await stopFlotilla(stack);
      }
    }
    if (only.has('flotilla') || only.has('scenarios') || only.has('ingest')) {
      const stack = await startFlotilla();
      machineText = await machine(stack.databaseUrl);
      try {
        const all = flotillaScenarios(receiver);
        if (only.has('flotilla')) {
          const system = await flotillaSystem(stack, all['one endpoint']!);
          ladders.push(...(await ladder(system, receiver)));
          await system.stop();
        }
        if (only.has('scenarios')) {
          for (const scenario of Object.values(all).slice(1)) {
            const system = await flotillaSystem(stack, scenario);
            const rate =
              scenario.route === 'fanout'
                ? Number(values['fanout-rate'])
                : Number(values['scenario-rate']);
            await prime(system, receiver, Math.ceil(rate / 5));
            scenarios.push(await measure(system, receiver, step(rate)));
            await system.stop();
          }
        }
        if (only.has('ingest')) {
          // Ingest alone: the dispatcher is stopped, so the 201s are all that is measured.
          await stack.service('dispatcher').stop();
          const system = await flotillaSystem(stack, all['one endpoint']!);
          const ingestOnly: RunningSystem = {
            ...system,
            name: 'Flotilla ingest-api alone',
            recipients: () => [],
          };
          await prime(ingestOnly, receiver);
          for (const rate of list(values['ingest-rates'])) {
            ingest.push(await measure(ingestOnly, receiver, { ...step(rate), drainSeconds: 0 }));
          }
          await system.stop();
        }
      } finally {
        await stopFlotilla(stack);
      }
    }
  } finally {
    await receiver.stop();
  }
  await writeReport(ladders, scenarios, ingest, machineText ?? (await machine(undefined)));
}

const FLOTILLA = 'Flotilla, one endpoint';

function summary(ladders: readonly StepResult[]): string {
  const flotilla = sustainedRate(ladders, FLOTILLA);
  const lines = ['| system | sustained events/s | Flotilla as a ratio |', '|---|---|---|'];
  for (const system of new Set(ladders.map((result) => result.system))) {
    const rate = sustainedRate(ladders, system);
    lines.push(
      `| ${system} | ${rate.toLocaleString('en-US')} | ${
        system === FLOTILLA || rate === 0 ? '' : `${(flotilla / rate).toFixed(2)} ×`
      } |`,
    );
  }
  const atThousand = ladders.find((result) => result.system === FLOTILLA && result.rate === 1000);
  if (atThousand) {
    lines.push(
      '',
      `At 1,000 events/s offered, Flotilla's scheduled send → arrival was p50 ${atThousand.latency.p50.toFixed(
        1,
      )} ms and p99 ${atThousand.latency.p99.toFixed(1)} ms (targets: 20 and 100 ms).`,
    );
  }
  return lines.join('\n');
}

async function writeReport(
  ladders: readonly StepResult[],
  scenarios: readonly StepResult[],
  ingest: readonly StepResult[],
  machineText: string,
): Promise<void> {
  const out = path.resolve(values.out);
  mkdirSync(out, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  const base = path.join(out, values.name ?? `report-${date}`);
  const options = step(0);
  const text = [
    `# Flotilla benchmark, ${date}`,
    '',
    machineText,
    `- Open-model load: each rate held ${String(options.holdSeconds)} s after a ${String(
      options.warmUpSeconds,
    )} s warm-up; latency from each event's scheduled send time to its arrival at the receiver; ~1 KB JSON body; Standard Webhooks HMAC signing`,
    `- Sustained: delivered rate within 1 % of offered over the hold, nothing missing ${String(
      options.drainSeconds,
    )} s after the last send (a system that falls behind shows its backlog here; the e2e tests prove nothing is lost), nothing refused, the ledger balanced`,
    `- Command: \`npm run bench -- ${process.argv.slice(2).join(' ')}\``.replace(' -- `', '`'),
    '',
    ...(ladders.length > 0
      ? [
          '## Sustained rate, one endpoint',
          '',
          summary(ladders),
          '',
          `![p50 and p99 latency against offered rate](${path.basename(base)}.png)`,
          '',
          '## Every step',
          '',
          stepTable(ladders),
          '',
        ]
      : []),
    ...(scenarios.length > 0
      ? [
          '## Flotilla scenarios',
          '',
          'Rates are deliveries per second owed to endpoints that answer (failing and timing-out endpoints excluded; their retries run meanwhile).',
          '',
          stepTable(scenarios),
          '',
        ]
      : []),
    ...(ingest.length > 0
      ? [
          '## Ingest alone (201 after the Kafka ack, 128 connections, dispatcher stopped)',
          '',
          ingestTable(ingest),
          '',
        ]
      : []),
  ].join('\n');
  writeText(`${base}.md`, text);
  if (ladders.length > 0) await writePng(latencyPlotSvg(ladders), `${base}.png`);
  process.stdout.write(`\n${text}\nreport: ${base}.md\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
