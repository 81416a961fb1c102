/**
 * What every benchmark's services run with: quiet logs, and none of the test stack's extra checks
 * (`CHECK_RESPONSES` parses every answer against its schema, which an install does not pay for).
 * FLOTILLA_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR' profiles the services.
 */
export const BENCH_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn',
  CHECK_RESPONSES: 'false',
  FLOTILLA_NODE_ARGS: process.env['FLOTILLA_NODE_ARGS'] ?? '',
};
