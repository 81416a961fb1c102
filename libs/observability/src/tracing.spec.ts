import { startTracing, traceHeaders, traceHeadersFor, traceContexts } from './tracing';
import { ROOT_CONTEXT } from '@opentelemetry/api';

describe('tracing switch', () => {
  it('is off without an OTLP endpoint, and then carries no headers', async () => {
    const tracing = startTracing('test', {});
    expect(tracing.enabled).toBe(false);
    traceContexts.remember('event-1', ROOT_CONTEXT);
    expect(traceHeadersFor('event-1')).toBeUndefined();
    expect(traceHeaders()).toEqual({});
    await tracing.shutdown();
  });

  it('stays off when OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none say so', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(startTracing('test', { ...endpoint, OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
    expect(startTracing('test', { ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).enabled).toBe(false);
  });
});
