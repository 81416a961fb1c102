import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SamplingDecision,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import type { NextFunction, Request, Response } from 'express';
import { routeTemplate } from './http-metrics.middleware';

export { SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';

let enabled = false;

/**
 * Every trace, except database queries outside any trace: the consumers' batch queries serve many
 * events at once and the scheduler polls, so each would be a one-span trace of its own (noise).
 * Queries made inside a request or a traced span stay in that trace.
 */
const parentBased = new ParentBasedSampler({ root: new AlwaysOnSampler() });
const WITHOUT_ORPHAN_QUERIES: Sampler = {
  shouldSample(ctx, traceId, name, kind, attributes, links) {
    if (name.startsWith('prisma:') && !trace.getSpanContext(ctx))
      return { decision: SamplingDecision.NOT_RECORD };
    return parentBased.shouldSample(ctx, traceId, name, kind, attributes, links);
  },
  toString: () => 'ParentBased(AlwaysOn) without orphan prisma spans',
};

export interface Tracing {
  enabled: boolean;
  /** Sends the spans still buffered; call before exiting. */
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing, off unless an OTLP endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT`
 * or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and not turned off (`OTEL_SDK_DISABLED=true`,
 * `OTEL_TRACES_EXPORTER=none`). The exporter reads the other standard `OTEL_EXPORTER_OTLP_*`
 * variables itself (headers, timeout); spans go over OTLP/HTTP. Off, every helper here is a no-op.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  const endpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (
    !endpoint ||
    env['OTEL_SDK_DISABLED']?.toLowerCase() === 'true' ||
    env['OTEL_TRACES_EXPORTER']?.toLowerCase() === 'none'
  ) {
    return { enabled: false, shutdown: () => Promise.resolve() };
  }
  const provider = new TracerProvider({
    sampler: WITHOUT_ORPHAN_QUERIES,
    resource: resourceFromAttributes({
      'service.name': env['OTEL_SERVICE_NAME'] ?? `flotilla-${service}`,
    }),
    spanProcessors: [
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), scheduledDelayMillis: 500 }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  return { enabled: true, shutdown: () => provider.shutdown() };
}

export function tracer(): ReturnType<typeof trace.getTracer> {
  return trace.getTracer('flotilla');
}

/** W3C trace context headers (`traceparent`) for `ctx`, to carry across Kafka or HTTP. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  if (enabled) propagation.inject(ctx, headers);
  return headers;
}

export function contextFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/**
 * Trace contexts of the events and deliveries a consumer is working on, by id, so that code far
 * from the Kafka message (the batch services) can continue their traces without its signatures
 * carrying them. Bounded: the oldest entries go first.
 */
class TraceContexts {
  private readonly contexts = new Map<string, Context>();

  remember(id: string, ctx: Context): void {
    if (!enabled) return;
    this.contexts.delete(id);
    this.contexts.set(id, ctx);
    if (this.contexts.size > 50_000) {
      const oldest = this.contexts.keys().next().value;
      if (oldest !== undefined) this.contexts.delete(oldest);
    }
  }

  get(id: string): Context | undefined {
    return enabled ? this.contexts.get(id) : undefined;
  }

  forget(id: string): void {
    this.contexts.delete(id);
  }
}

export const traceContexts = new TraceContexts();

/** Kafka headers continuing the trace remembered for `id` (none when there is none). */
export function traceHeadersFor(id: string): Record<string, string> | undefined {
  const ctx = traceContexts.get(id);
  return ctx ? traceHeaders(ctx) : undefined;
}

/** The trace id of a context's span, when it has a valid one. */
export function traceIdOf(ctx: Context): string | undefined {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/**
 * Starts a span continuing `id`'s remembered trace (a no-op span when tracing is off or the id has
 * none). `headers` carries the new span's context onward (to a receiver: its `traceparent`).
 */
export function startSpanFor(
  id: string,
  name: string,
  kind: SpanKind,
  attributes: Record<string, string | number> = {},
): { span: Span; headers: Record<string, string> } {
  const parent = traceContexts.get(id);
  if (!parent) return { span: trace.wrapSpanContext(INVALID_SPAN_CONTEXT), headers: {} };
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  return { span, headers: traceHeaders(trace.setSpan(parent, span)) };
}

/** Express middleware: a server span per request, continuing the caller's `traceparent`. */
export function tracingMiddleware(): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (!enabled) {
      next();
      return;
    }
    const parent = contextFromHeaders(req.headers);
    const span = tracer().startSpan(
      `${req.method} ingest`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } },
      parent,
    );
    res.once('finish', () => {
      const route = routeTemplate(req);
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/**
 * A producer span for a Kafka send in the current trace (when tracing is on and a trace is
 * active); `headers` carries it in the messages, so the consumer's span is its child.
 */
export function startPublishSpan(topic: string): {
  headers: Record<string, string>;
  end: (error?: unknown) => void;
} {
  if (!enabled || !trace.getSpan(context.active())) return { headers: {}, end: () => undefined };
  const span = tracer().startSpan(`publish ${topic}`, {
    kind: SpanKind.PRODUCER,
    attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic },
  });
  return {
    headers: traceHeaders(trace.setSpan(context.active(), span)),
    end: (error) => {
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/** Whether this process exports spans (`startTracing` found an OTLP endpoint). */
export function tracingEnabled(): boolean {
  return enabled;
}
