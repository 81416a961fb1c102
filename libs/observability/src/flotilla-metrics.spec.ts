import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  consumerLagGauge,
  deadLettersCounter,
  endpointBreakersGauge,
  endToEndLatencyHistogram,
  httpRequestMetrics,
  metaEventDropsCounter,
  schedulerBacklogGauges,
  uuidv7Millis,
} from './flotilla-metrics';
import { MetricsRegistry } from './metrics';

const ROOT = join(__dirname, '../../..');
const CHART = join(ROOT, 'deploy/helm/flotilla');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? ['node_modules', 'generated', 'dashboard'].includes(entry.name)
        ? []
        : sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts') && !entry.name.includes('spec')
        ? [join(dir, entry.name)]
        : [],
  );
}

function chartFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? chartFiles(join(dir, entry.name))
      : /\.(ya?ml|json|tpl)$/.test(entry.name)
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('Flotilla metrics', () => {
  it('defines every flotilla_ metric the chart (alerts, dashboard) queries', async () => {
    const metrics = new MetricsRegistry();
    httpRequestMetrics(metrics);
    consumerLagGauge(metrics, () => undefined);
    deadLettersCounter(metrics);
    schedulerBacklogGauges(metrics, () => Promise.resolve(undefined));
    endpointBreakersGauge(metrics, () => ({ closed: 0, open: 0, half_open: 0 }));
    metaEventDropsCounter(metrics);
    endToEndLatencyHistogram(metrics);
    const defined = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    // Metrics the services define elsewhere (libs/delivery, libs/ingestion, the apps), by name.
    const elsewhere = new Set(
      [ROOT + '/libs', ROOT + '/apps']
        .flatMap((dir) => sourceFiles(dir))
        .flatMap((file) =>
          [...readFileSync(file, 'utf8').matchAll(/'(flotilla_[a-z0-9_]+)'/g)].map((m) => m[1]!),
        ),
    );
    const queried = new Set(
      chartFiles(CHART).flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/\bflotilla_[a-z0-9_]+/g)].map((match) =>
          match[0].replace(/_(bucket|sum|count)$/, ''),
        ),
      ),
    );
    expect(queried.size).toBeGreaterThan(0);
    const unknown = [...queried].filter((name) => !defined.has(name) && !elsewhere.has(name));
    expect(unknown).toEqual([]);
  });

  it('keeps Node default metrics under their stock names for stock dashboards', async () => {
    const names = (await new MetricsRegistry().registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toContain('process_cpu_seconds_total');
    expect(names).toContain('nodejs_heap_size_used_bytes');
    expect(names.filter((name) => name.startsWith('flotilla_'))).toEqual([]);
  });

  it('reads the acceptance time from a UUIDv7', () => {
    expect(uuidv7Millis('0193a0c4-5f00-7abc-8def-0123456789ab')).toBe(0x0193a0c45f00);
  });
});
