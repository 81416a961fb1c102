/**
 * How fast the dashboard's main pages render with a large project: seeds 10,000 events and their
 * deliveries (set-based SQL), starts ingest-api serving the built app, and opens each page in
 * headless Chromium (Debian's), timing from navigation to the page's data on screen (its table
 * rows, cards or catalog), several times each. The pages read one page of the log (paging), never
 * all of it. Prints p50 / max per page.
 *
 *   node tools/bench/run.mjs dashboard [--events 10000] [--samples 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { chromium } from 'playwright-core';
import { createProject, seedEventLog, startTestStack, stopAll } from '@flotilla/testing';
import { BENCH_ENV } from './support/bench-env';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000' },
    samples: { type: 'string', default: '5' },
  },
});
const totalEvents = Number(values.events);
const samples = Number(values.samples);

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Target {
  name: string;
  path: string;
  /** What shows the page's data. */
  ready: string;
  session: 'operator' | 'portal';
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;
}

async function main(): Promise<void> {
  const stack = await startTestStack(['ingest-api'], BENCH_ENV);
  const profile = mkdtempSync(path.join(tmpdir(), 'flotilla-bench-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env['FLOTILLA_CHROMIUM'] ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1200, height: 800 },
  });
  try {
    const project = await createProject(stack.admin, 'dashboard bench');
    const client = new Client({ connectionString: stack.databaseUrl });
    await client.connect();
    const seeded = Date.now();
    const seed = await seedEventLog(client, { projectId: project.projectId, events: totalEvents });
    const { rows } = await client.query<{ id: string }>(
      'SELECT id FROM event_deliveries WHERE project_id = $1 ORDER BY id DESC LIMIT 1',
      [project.projectId],
    );
    await client.end();
    process.stdout.write(
      `seeded ${totalEvents} events and deliveries over ${seed.endpointIds.length} endpoints in ${Date.now() - seeded} ms\n`,
    );
    const link = await project.api.expect<{ token: string }>(
      201,
      'POST',
      `/api/v1/projects/${project.projectId}/portal-links`,
      { name: 'bench', endpoints: seed.endpointIds.slice(0, 5) },
    );
    const base = stack.service('ingest-api').url;
    const p = `/ui/p/${project.projectId}`;
    const targets: Target[] = [
      {
        name: 'overview',
        path: `${p}/overview`,
        ready: '[data-testid=success-ratio]',
        session: 'operator',
      },
      {
        name: 'endpoints',
        path: `${p}/endpoints`,
        ready: '[data-testid=endpoint-row]',
        session: 'operator',
      },
      {
        name: 'events',
        path: `${p}/events`,
        ready: '[data-testid=event-row]',
        session: 'operator',
      },
      {
        name: 'deliveries',
        path: `${p}/deliveries`,
        ready: '[data-testid=delivery-row]',
        session: 'operator',
      },
      {
        name: 'delivery',
        path: `${p}/deliveries/${rows[0]?.id ?? ''}`,
        ready: '[data-testid=delivery-status]',
        session: 'operator',
      },
      {
        name: 'portal deliveries',
        path: '/ui/portal/deliveries',
        ready: '[data-testid=delivery-row]',
        session: 'portal',
      },
    ];
    const page = browser.pages()[0] ?? (await browser.newPage());
    // Signed in as the sign-in page and a portal link would leave the tab.
    await page.addInitScript(
      ([key, projectId, portalToken]) => {
        const storage = (
          globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }
        ).sessionStorage;
        storage.setItem(
          'flotilla.session.operator',
          JSON.stringify({ kind: 'operator', token: key, projectId }),
        );
        storage.setItem(
          'flotilla.session.portal',
          JSON.stringify({ kind: 'portal', token: portalToken }),
        );
      },
      [project.apiKey, project.projectId, link.token] as const,
    );
    process.stdout.write(`\npage (${samples} loads each)    first ms   p50 ms   max ms\n`);
    for (const target of targets) {
      const times: number[] = [];
      for (let i = 0; i < samples + 1; i += 1) {
        const started = Date.now();
        await page.goto(`${base}${target.path}`);
        await page.locator(target.ready).first().waitFor({ timeout: 30_000 });
        times.push(Date.now() - started);
      }
      // The first load of each page is shown apart; the rest are a returning user's.
      const first = times.shift() ?? NaN;
      times.sort((a, b) => a - b);
      process.stdout.write(
        `${target.name.padEnd(26)} ${String(first).padStart(8)} ${String(percentile(times, 0.5)).padStart(8)} ${String(times.at(-1)).padStart(8)}\n`,
      );
    }
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
    await stopAll(stack);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
