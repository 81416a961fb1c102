/**
 * The report: Markdown tables of every step, the summary against the targets, and a plot of
 * p50/p99 latency against offered rate (SVG drawn here, turned into PNG by Chromium).
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { StepResult } from './step-runner';

const ms = (value: number): string =>
  Number.isNaN(value) ? '–' : value >= 100 ? value.toFixed(0) : value.toFixed(1);
const whole = (value: number): string => Math.round(value).toLocaleString('en-US');

export function stepTable(results: readonly StepResult[]): string {
  return [
    '| system | offered/s | delivered/s | p50 ms | p90 ms | p99 ms | max ms | 2xx p99 ms | accepted | missing after drain | sustained |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (step) =>
        `| ${step.system} | ${whole(step.offeredDeliveryRate)} | ${whole(step.deliveredRate)} | ${ms(
          step.latency.p50,
        )} | ${ms(step.latency.p90)} | ${ms(step.latency.p99)} | ${ms(step.latency.max)} | ${ms(
          step.answer.p99,
        )} | ${whole(step.accepted)} | ${String(step.missing)}${
          step.unaccounted > 0 ? ` (+${String(step.unaccounted)} unaccounted: void)` : ''
        } | ${step.sustained ? 'yes' : 'no'} |`,
    ),
  ].join('\n');
}

/** Ingest alone: what was answered, and how fast (no deliveries are owed). */
export function ingestTable(results: readonly StepResult[]): string {
  return [
    '| offered/s | accepted | refused or unanswered | 2xx p50 ms | 2xx p99 ms |',
    '|---|---|---|---|---|',
    ...results.map(
      (step) =>
        `| ${whole(step.rate)} | ${whole(step.accepted)} | ${whole(step.refused)} | ${ms(
          step.answer.p50,
        )} | ${ms(step.answer.p99)} |`,
    ),
  ].join('\n');
}

/** The highest offered rate a system sustained (0 if none). */
export function sustainedRate(results: readonly StepResult[], system: string): number {
  return Math.max(
    0,
    ...results.filter((step) => step.system === system && step.sustained).map((step) => step.rate),
  );
}

const palette = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e'];

/** p50 (dashed) and p99 (solid) against offered rate, one colour per system, log latency axis. */
export function latencyPlotSvg(results: readonly StepResult[]): string {
  const width = 900;
  const height = 520;
  const left = 70;
  const right = 230;
  const top = 40;
  const bottom = 60;
  const systems = [...new Set(results.map((step) => step.system))];
  const maxRate = Math.max(...results.map((step) => step.rate));
  const latencies = results.flatMap((step) => [step.latency.p50, step.latency.p99]);
  const minLog = Math.floor(Math.log10(Math.max(0.1, Math.min(...latencies))));
  const maxLog = Math.ceil(Math.log10(Math.max(...latencies)));
  const x = (rate: number): number => left + (rate / maxRate) * (width - left - right);
  const y = (value: number): number =>
    top +
    (1 - (Math.log10(Math.max(value, 10 ** minLog)) - minLog) / (maxLog - minLog || 1)) *
      (height - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${String(left)}" y="22" font-size="15">Scheduled send → arrival at the receiver (p99 solid, p50 dashed)</text>`,
  ];
  for (let power = minLog; power <= maxLog; power += 1) {
    const value = 10 ** power;
    parts.push(
      `<line x1="${String(left)}" x2="${String(width - right)}" y1="${String(y(value))}" y2="${String(y(value))}" stroke="#ddd"/>`,
      `<text x="${String(left - 8)}" y="${String(y(value) + 4)}" text-anchor="end">${String(value)} ms</text>`,
    );
  }
  const rates = [...new Set(results.map((step) => step.rate))].sort((a, b) => a - b);
  for (const rate of rates) {
    parts.push(
      `<text x="${String(x(rate))}" y="${String(height - bottom + 18)}" text-anchor="middle">${whole(rate)}</text>`,
    );
  }
  parts.push(
    `<text x="${String((left + width - right) / 2)}" y="${String(height - 15)}" text-anchor="middle">offered events/s</text>`,
  );
  systems.forEach((system, index) => {
    const colour = palette[index % palette.length]!;
    const steps = results.filter((step) => step.system === system);
    for (const [key, dash] of [
      ['p99', ''],
      ['p50', ' stroke-dasharray="6 4"'],
    ] as const) {
      const points = steps
        .map((step) => `${String(x(step.rate))},${String(y(step.latency[key]))}`)
        .join(' ');
      parts.push(
        `<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`,
      );
    }
    parts.push(
      `<rect x="${String(width - right + 15)}" y="${String(top + index * 22)}" width="14" height="4" fill="${colour}"/>`,
      `<text x="${String(width - right + 35)}" y="${String(top + index * 22 + 6)}">${system}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Writes the SVG as a PNG through the Chromium the dashboard tests use. */
export async function writePng(svg: string, file: string): Promise<void> {
  const profile = mkdtempSync(path.join(tmpdir(), 'flotilla-bench-plot-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env['FLOTILLA_CHROMIUM'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
    viewport: { width: 900, height: 520 },
  });
  try {
    const page = await browser.newPage();
    await page.setContent(`<body style="margin:0">${svg}</body>`);
    await page.locator('svg').screenshot({ path: file });
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

export function writeText(file: string, text: string): void {
  writeFileSync(file, text);
}
