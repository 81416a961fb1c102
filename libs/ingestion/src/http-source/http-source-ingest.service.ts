import { Injectable } from '@nestjs/common';
import {
  parseIdempotencyKeyLocation,
  PROVIDER_PRESETS,
  projectConfigSchema,
  sourceProviderSchema,
  storedVerifierSchema,
  verifierSecretSchema,
  type IdempotencyKeyLocation,
  type VerifierSecret,
} from '@flotilla/contracts';
import { SourceRepository, type HttpSourceWithProject } from '@flotilla/db';
import { sourceCredentialsAad } from '../broker/resolve-broker-source';
import { CredentialsCipher } from '@flotilla/signing';
import { IngestEventService } from '../ingest-event.service';
import { incomingIdempotencyKey, type IncomingRequestParts } from './incoming-idempotency-key';
import { incomingEventData, incomingEventType, recordedHeaders } from './incoming-request';
import { verifyRequest, type HttpVerifier, type VerifyResult } from './verify-request';

/** Mask ids are generated hex; anything else cannot name a source and needs no query. */
const MASK_ID = /^[A-Za-z0-9_-]{8,128}$/;
const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** An http source ready to take requests at `POST /ingest/{maskID}`. */
export interface IncomingSource {
  id: string;
  projectId: string;
  name: string;
  /** The project's `max_payload_read_size`: larger bodies are refused unread (413). */
  maxPayloadBytes: number;
  verifier: HttpVerifier;
  /** The provider's event-type header (github, shopify). */
  eventTypeHeader?: string | undefined;
  /** Headers never recorded on the event: the verifier's, the project's signature header. */
  excludedHeaders: string[];
  /** Where requests carry the sender's delivery id (the source's `idempotency_keys`). */
  idempotencyKeys: IdempotencyKeyLocation[];
}

export type ReceiveResult =
  { ok: true; eventId: string; eventType: string } | Extract<VerifyResult, { ok: false }>;

/** A stored http source that cannot be used (its secret does not decrypt, settings unreadable). */
export class HttpSourceConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpSourceConfigError';
  }
}

/**
 * Incoming webhooks: find the source by its mask id, verify the request over its raw bytes, and
 * accept it into the same pipeline as API events (Kafka, then the route stage, which sends it to
 * the subscriptions of this source).
 */
@Injectable()
export class HttpSourceIngestService {
  constructor(
    private readonly sources: SourceRepository,
    private readonly cipher: CredentialsCipher,
    private readonly ingest: IngestEventService,
  ) {}

  /** The active http source with this mask id, or undefined (unknown, deleted or disabled). */
  async resolve(maskId: string): Promise<IncomingSource | undefined> {
    if (!MASK_ID.test(maskId)) return undefined;
    const row = await this.sources.findHttpByMaskId(maskId);
    if (!row || row.status !== 'active' || row.project.deletedAt !== null) return undefined;
    const config = projectConfigSchema.safeParse(row.project.config);
    const provider = sourceProviderSchema.safeParse(row.provider);
    const verifier = this.verifierOf(row);
    const excluded = [config.success ? config.data.signature.header : 'X-Convoy-Signature'];
    if (verifier.type === 'hmac') excluded.push(verifier.header);
    if (verifier.type === 'api_key') excluded.push(verifier.headerName);
    return {
      id: row.id,
      projectId: row.projectId,
      name: row.name,
      maxPayloadBytes: config.success
        ? config.data.max_payload_read_size
        : DEFAULT_MAX_PAYLOAD_BYTES,
      verifier,
      eventTypeHeader: provider.success
        ? PROVIDER_PRESETS[provider.data].eventTypeHeader
        : undefined,
      excludedHeaders: excluded,
      // Checked when saved; a location that no longer parses is skipped, not fatal.
      idempotencyKeys: row.idempotencyKeys.flatMap((text) => {
        const parsed = parseIdempotencyKeyLocation(text);
        return parsed.ok ? [parsed.location] : [];
      }),
    };
  }

  /**
   * Verifies and accepts one request. Resolves once Kafka acknowledged the event; throws
   * `IngestError('broker_unavailable')` when it did not.
   */
  async receive(source: IncomingSource, request: IncomingRequestParts): Promise<ReceiveResult> {
    const { body, headers } = request;
    const verified = verifyRequest(source.verifier, body, headers);
    if (!verified.ok) return verified;
    const eventType = incomingEventType(headers, source.eventTypeHeader, source.name);
    const message = await this.ingest.accept({
      projectId: source.projectId,
      // The route stage sends an http source's events to the subscriptions naming the source.
      target: { kind: 'broadcast' },
      eventType,
      rawData: incomingEventData(body),
      customHeaders: recordedHeaders(headers, source.excludedHeaders),
      sourceId: source.id,
      fromHttpSource: true,
      // A replay of a delivery already taken is stored as a duplicate and delivered to nobody.
      idempotencyKey: incomingIdempotencyKey(source.id, source.idempotencyKeys, request),
      channel: 'incoming',
    });
    return { ok: true, eventId: message.event_id, eventType };
  }

  private verifierOf(row: HttpSourceWithProject): HttpVerifier {
    const stored = storedVerifierSchema.safeParse(row.verifier ?? { type: 'noop' });
    if (!stored.success) {
      throw new HttpSourceConfigError(`source ${row.id}: stored verifier is unreadable`);
    }
    const settings = stored.data;
    if (settings.type === 'noop') return { type: 'noop' };
    const secret = this.secretOf(row);
    if (settings.type === 'hmac' && secret.type === 'hmac') {
      return { type: 'hmac', ...settings.hmac, secret: secret.secret };
    }
    if (settings.type === 'basic_auth' && secret.type === 'basic_auth') {
      return {
        type: 'basic_auth',
        username: settings.basic_auth.username,
        password: secret.password,
      };
    }
    if (settings.type === 'api_key' && secret.type === 'api_key') {
      return {
        type: 'api_key',
        headerName: settings.api_key.header_name,
        headerValue: secret.header_value,
      };
    }
    throw new HttpSourceConfigError(`source ${row.id}: stored secret is for another verifier`);
  }

  private secretOf(row: HttpSourceWithProject): VerifierSecret {
    if (!row.credentials) throw new HttpSourceConfigError(`source ${row.id}: no stored secret`);
    const text = this.cipher.decrypt(row.credentials, sourceCredentialsAad(row.id));
    const parsed = verifierSecretSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new HttpSourceConfigError(`source ${row.id}: stored secret is unreadable`);
    }
    return parsed.data;
  }
}
