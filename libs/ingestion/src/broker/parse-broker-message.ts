import {
  BROKER_MESSAGE_TYPE_ATTRIBUTE,
  brokerMessageSchema,
  brokerMessageTypeSchema,
  type EventTarget,
  type IngestFailureReason,
} from '@flotilla/contracts';
import { extractRawMember } from '../raw-json';

/** What a valid broker message becomes: the parts of an ingest command it determines. */
export interface ParsedBrokerEvent {
  target: EventTarget;
  eventType: string;
  /** The exact JSON text of `data`. */
  rawData: string;
  customHeaders: Record<string, string> | undefined;
  idempotencyKey: string | undefined;
}

export type BrokerParseResult =
  | { ok: true; event: ParsedBrokerEvent }
  | { ok: false; reason: IngestFailureReason; detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

const fail = (reason: IngestFailureReason, detail: string): BrokerParseResult => ({
  ok: false,
  reason,
  detail,
});

/** An attribute by name, ignoring case (producers vary in how they spell it). */
export function attributeValue(
  attributes: Readonly<Record<string, string>>,
  name: string,
): string | undefined {
  if (attributes[name] !== undefined) return attributes[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(attributes)) {
    if (key.toLowerCase() === lower) return value;
  }
  return undefined;
}

/**
 * Parses one Convoy-format broker message at the edge: size, UTF-8, JSON, the message schema, and
 * the target its `x-convoy-message-type` attribute selects. Every refusal names its reason.
 */
export function parseBrokerMessage(
  body: Buffer,
  attributes: Readonly<Record<string, string>>,
  maxBytes: number,
): BrokerParseResult {
  if (body.length > maxBytes) {
    return fail('too_large', `the message is ${body.length} bytes; the limit is ${maxBytes}`);
  }
  let text: string;
  try {
    text = utf8.decode(body); // drops a leading BOM
  } catch {
    return fail('malformed_json', 'the message body is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(
      'malformed_json',
      `the message body is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return fail('invalid_message', 'the message body must be a JSON object');
  }

  const typeText = (attributeValue(attributes, BROKER_MESSAGE_TYPE_ATTRIBUTE) ?? '')
    .trim()
    .toLowerCase();
  const type = brokerMessageTypeSchema.safeParse(typeText === '' ? 'single' : typeText);
  if (!type.success) {
    return fail(
      'unknown_message_type',
      `${BROKER_MESSAGE_TYPE_ATTRIBUTE} must be single, fanout or broadcast, not "${typeText.slice(0, 64)}"`,
    );
  }

  const parsed = brokerMessageSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = issue.path.map(String).join('.') || 'body';
      const message =
        issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
      return `${field}: ${message}`;
    });
    return fail('invalid_message', problems.join('; '));
  }
  const message = parsed.data;

  let target: EventTarget;
  switch (type.data) {
    case 'single':
      if (message.endpoint_id === undefined) {
        return fail('invalid_message', 'endpoint_id: is required for single messages');
      }
      target = { kind: 'single', endpoint_id: message.endpoint_id };
      break;
    case 'fanout':
      if (message.owner_id === undefined) {
        return fail('invalid_message', 'owner_id: is required for fanout messages');
      }
      target = { kind: 'fanout', owner_id: message.owner_id };
      break;
    case 'broadcast':
      target = { kind: 'broadcast' };
      break;
  }
  return {
    ok: true,
    event: {
      target,
      eventType: message.event_type,
      // The schema guarantees `data` is present, so the raw member exists.
      rawData: extractRawMember(text, 'data') ?? JSON.stringify(message.data),
      customHeaders: message.custom_headers,
      idempotencyKey: message.idempotency_key,
    },
  };
}
