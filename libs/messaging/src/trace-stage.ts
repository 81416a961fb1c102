import {
  SpanKind,
  traceContexts,
  tracer,
  contextFromHeaders,
  trace,
} from '@flotilla/observability';
import type { ConsumedMessage } from './kafka-batch.transport';

/**
 * Continues the traces carried in a batch's Kafka headers (`traceparent`): one `name` span per
 * traced message, remembered under the message's `idField` (`event_id`, `delivery_id`) so the
 * stage's services can hand the trace on. Returns a function ending the spans. Untraced batches
 * (tracing off upstream) cost one header lookup per message.
 */
export function startStageSpans(
  name: string,
  messages: readonly ConsumedMessage[],
  idField: string,
): () => void {
  const spans: { id: string; end: () => void }[] = [];
  for (const message of messages) {
    if (!message.headers['traceparent']) continue;
    let id: unknown;
    try {
      id = (JSON.parse(message.value?.toString('utf8') ?? '') as Record<string, unknown>)[idField];
    } catch {
      continue; // the stage dead-letters it
    }
    if (typeof id !== 'string') continue;
    const parent = contextFromHeaders(message.headers);
    const span = tracer().startSpan(
      name,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': message.topic,
          [`flotilla.${idField}`]: id,
        },
      },
      parent,
    );
    traceContexts.remember(id, trace.setSpan(parent, span));
    spans.push({
      id,
      end: () => {
        span.end();
      },
    });
  }
  return () => {
    for (const { end } of spans) end();
  };
}

/**
 * The same for work handed over in-process rather than through a topic (the route stage's local
 * hand-off): one `name` span per item whose parent (`parentId`, e.g. its event) has a remembered
 * trace, remembered in turn under the item's own `id`.
 */
export function startHandOffSpans(
  name: string,
  items: readonly { id: string; parentId: string }[],
): () => void {
  const spans: { end: () => void }[] = [];
  for (const { id, parentId } of items) {
    const parent = traceContexts.get(parentId);
    if (!parent) continue;
    const span = tracer().startSpan(name, { kind: SpanKind.INTERNAL }, parent);
    traceContexts.remember(id, trace.setSpan(parent, span));
    spans.push(span);
  }
  return () => {
    for (const span of spans) span.end();
  };
}
