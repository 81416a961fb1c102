import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  brokerCredentialsSchema,
  decodeServiceAccount,
  newId,
  sourceProviderSchema,
  storedPubSubConfigSchema,
  storedVerifierSchema,
  UUID_PATTERN,
  verifierSecretSchema,
  type BrokerCredentials,
  type CreateSourceBody,
  type HttpSourceCreateBody,
  type PubSubSourceBody,
  type SourceProvider,
  type StoredPubSubConfig,
  type UpdateSourceBody,
  type VerifierSecret,
  type SourceListQuery,
} from '@flotilla/contracts';
import { SourceRepository, type PageResult, type Source } from '@flotilla/db';
import { validateEndpointUrl, type EgressPolicy } from '@flotilla/egress';
import { sourceCredentialsAad } from '@flotilla/ingestion';
import { CredentialsCipher, CredentialsDecryptError } from '@flotilla/signing';
import { httpVerifierSettings, type HttpVerifierSettings } from './http-source-settings';
import { ManagementError } from './management-error';
import { ProjectsService } from './projects.service';
import { toCursor } from './event-log.service';

type PubSubUpdate = NonNullable<UpdateSourceBody['pub_sub']>;

/** The egress policy an SQS source's own `endpoint` must pass (the ingester connects to it). */
export const SOURCE_EGRESS_POLICY = Symbol('SOURCE_EGRESS_POLICY');

/**
 * Convoy's source API: broker sources (`pub_sub`) and incoming webhooks (`http`). Secrets (SQS
 * keys, the Google service account, verifier secrets) are encrypted at rest with
 * FLOTILLA_ENCRYPTION_KEY and never returned; the ingesters pick up every change at their next
 * refresh, `POST /ingest/{maskID}` at once.
 */
@Injectable()
export class SourcesService {
  constructor(
    private readonly sources: SourceRepository,
    private readonly projects: ProjectsService,
    private readonly cipher: CredentialsCipher,
    @Inject(SOURCE_EGRESS_POLICY) private readonly egress: EgressPolicy,
  ) {}

  async create(projectId: string, body: CreateSourceBody): Promise<Source> {
    await this.projects.get(projectId);
    if (body.type === 'http') return this.createHttp(projectId, body);
    const id = newId();
    const { config, credentials } = split(body.pub_sub);
    this.assertEndpoint(config);
    return this.sources.create({
      id,
      projectId,
      name: body.name,
      type: 'pub_sub',
      maskId: randomBytes(12).toString('hex'),
      pubSub: config,
      credentials: this.encrypt(id, credentials),
      status: body.is_disabled ? 'paused' : 'active',
    });
  }

  async get(projectId: string, id: string): Promise<Source> {
    const source = UUID_PATTERN.test(id) ? await this.sources.findById(projectId, id) : null;
    if (!source) throw new ManagementError('not_found', `source ${id} not found`);
    return source;
  }

  list(projectId: string, query: SourceListQuery): Promise<PageResult<Source>> {
    return this.sources.page(projectId, toCursor(query), {
      type: query.type,
      provider: query.provider,
      name: query.q,
    });
  }

  async update(projectId: string, id: string, body: UpdateSourceBody): Promise<Source> {
    const current = await this.get(projectId, id);
    if (body.type !== undefined && body.type !== current.type) {
      throw new ManagementError('validation', `type: a source stays ${current.type}`, 'type');
    }
    if (current.type === 'http') return this.updateHttp(current, body);
    // Convoy clients send a noop verifier and an empty provider with every source.
    const verifierType = body.verifier?.type;
    if ((verifierType !== undefined && verifierType !== 'noop') || body.provider) {
      const field = body.provider ? 'provider' : 'verifier.type';
      throw new ManagementError('validation', `${field}: only http sources have one`, field);
    }
    if (body.idempotency_keys !== undefined && body.idempotency_keys.length > 0) {
      throw new ManagementError(
        'validation',
        'idempotency_keys: only http sources use them (a broker message id dedupes itself)',
        'idempotency_keys',
      );
    }
    let pubSub: { config: StoredPubSubConfig; credentials: BrokerCredentials } | undefined;
    if (body.pub_sub) {
      pubSub = this.merge(current, body.pub_sub);
      this.assertEndpoint(pubSub.config);
    }
    const updated = await this.sources.update(projectId, id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.is_disabled !== undefined ? { status: body.is_disabled ? 'paused' : 'active' } : {}),
      ...(pubSub
        ? { pubSub: pubSub.config, credentials: this.encrypt(id, pubSub.credentials) }
        : {}),
    });
    if (!updated) throw new ManagementError('not_found', `source ${id} not found`);
    return updated;
  }

  async delete(projectId: string, id: string): Promise<void> {
    if (!UUID_PATTERN.test(id) || !(await this.sources.softDelete(projectId, id))) {
      throw new ManagementError('not_found', `source ${id} not found`);
    }
  }

  private createHttp(projectId: string, body: HttpSourceCreateBody): Promise<Source> {
    const id = newId();
    const verifier = httpVerifierSettings(body.provider, body.verifier);
    return this.sources.create({
      id,
      projectId,
      name: body.name,
      type: 'http',
      // 128 random bits: the mask id is all a sender needs to reach the source.
      maskId: randomBytes(16).toString('hex'),
      provider: body.provider ?? null,
      verifier: verifier.stored,
      credentials: verifier.secret ? this.encrypt(id, verifier.secret) : null,
      idempotencyKeys: body.idempotency_keys ?? [],
      status: body.is_disabled ? 'paused' : 'active',
    });
  }

  private async updateHttp(current: Source, body: UpdateSourceBody): Promise<Source> {
    if (body.pub_sub !== undefined) {
      throw new ManagementError('validation', 'pub_sub: only broker sources have one', 'pub_sub');
    }
    let verifier: HttpVerifierSettings | undefined;
    let provider: SourceProvider | null | undefined;
    if (body.verifier !== undefined || body.provider !== undefined) {
      let next: SourceProvider | undefined;
      if (body.provider === undefined) {
        const stored = sourceProviderSchema.safeParse(current.provider);
        next = stored.success ? stored.data : undefined;
      } else {
        next = body.provider === '' || body.provider === null ? undefined : body.provider;
      }
      verifier = httpVerifierSettings(next, body.verifier, this.storedVerifier(current));
      provider = next ?? null;
    }
    const updated = await this.sources.update(current.projectId, current.id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.idempotency_keys !== undefined ? { idempotencyKeys: body.idempotency_keys } : {}),
      ...(body.is_disabled !== undefined ? { status: body.is_disabled ? 'paused' : 'active' } : {}),
      ...(verifier
        ? {
            provider,
            verifier: verifier.stored,
            credentials: verifier.secret ? this.encrypt(current.id, verifier.secret) : null,
          }
        : {}),
    });
    if (!updated) throw new ManagementError('not_found', `source ${current.id} not found`);
    return updated;
  }

  /** An http source's stored verifier; a secret that cannot be read counts as absent. */
  private storedVerifier(source: Source): HttpVerifierSettings | undefined {
    const stored = storedVerifierSchema.safeParse(source.verifier);
    if (!stored.success) return undefined;
    const secret = this.decrypted(source);
    const parsed = secret === undefined ? undefined : verifierSecretSchema.safeParse(secret);
    return { stored: stored.data, secret: parsed?.success ? parsed.data : undefined };
  }

  /** Early, DNS-free SSRF check of an SQS endpoint or AMQP host, as for webhook endpoints. */
  private assertEndpoint(config: StoredPubSubConfig): void {
    if (config.type === 'amqp') {
      // The same literal-IP and localhost checks as for URLs; names are checked at connect time.
      const host = config.amqp.host.includes(':')
        ? `[${config.amqp.host.replace(/^\[|\]$/g, '')}]`
        : config.amqp.host;
      const validation = validateEndpointUrl(`http://${host}:${config.amqp.port}/`, this.egress);
      if (!validation.valid) {
        throw new ManagementError(
          'validation',
          `pub_sub.amqp.host: ${validation.reason.replace(/^URL host /, 'host ')}`,
          'pub_sub.amqp.host',
        );
      }
      return;
    }
    if (config.type !== 'sqs' || config.sqs.endpoint === undefined) return;
    const validation = validateEndpointUrl(config.sqs.endpoint, this.egress);
    if (!validation.valid) {
      throw new ManagementError(
        'validation',
        `pub_sub.sqs.endpoint: ${validation.reason}`,
        'pub_sub.sqs.endpoint',
      );
    }
  }

  /** New settings over the stored ones; secrets left out keep their stored values. */
  private merge(
    current: Source,
    update: PubSubUpdate,
  ): { config: StoredPubSubConfig; credentials: BrokerCredentials } {
    const stored = storedPubSubConfigSchema.safeParse(current.pubSub);
    const workers = update.workers ?? (stored.success ? stored.data.workers : 1);
    const previous = () => this.storedCredentials(current);
    switch (update.type) {
      case 'google': {
        const google = update.google!;
        const before = google.service_account === undefined ? previous() : undefined;
        const serviceAccount =
          google.service_account ??
          (before?.type === 'google' ? before.service_account : undefined);
        if (serviceAccount === undefined) {
          throw missingSecret('pub_sub.google.service_account');
        }
        return split({
          type: 'google',
          workers,
          google: { ...google, service_account: serviceAccount },
        });
      }
      case 'sqs': {
        const sqs = update.sqs!;
        const before =
          sqs.access_key_id === undefined || sqs.secret_key === undefined ? previous() : undefined;
        const accessKeyId =
          sqs.access_key_id ?? (before?.type === 'sqs' ? before.access_key_id : undefined);
        const secretKey =
          sqs.secret_key ?? (before?.type === 'sqs' ? before.secret_key : undefined);
        if (accessKeyId === undefined) throw missingSecret('pub_sub.sqs.access_key_id');
        if (secretKey === undefined) throw missingSecret('pub_sub.sqs.secret_key');
        return split({
          type: 'sqs',
          workers,
          sqs: { ...sqs, access_key_id: accessKeyId, secret_key: secretKey },
        });
      }
      case 'amqp': {
        const { auth, ...amqp } = update.amqp!;
        if (!auth) return split({ type: 'amqp', workers, amqp });
        const before = auth.password === undefined ? previous() : undefined;
        const password = auth.password ?? (before?.type === 'amqp' ? before.password : undefined);
        if (!password) throw missingSecret('pub_sub.amqp.auth.password');
        return split({
          type: 'amqp',
          workers,
          amqp: { ...amqp, auth: { user: auth.user, password } },
        });
      }
    }
  }

  private storedCredentials(source: Source): BrokerCredentials | undefined {
    const parsed = brokerCredentialsSchema.safeParse(this.decrypted(source));
    return parsed.success ? parsed.data : undefined;
  }

  /** The stored secret JSON, or undefined when there is none or it cannot be read. */
  private decrypted(source: Source): unknown {
    if (!source.credentials) return undefined;
    try {
      return JSON.parse(this.cipher.decrypt(source.credentials, sourceCredentialsAad(source.id)));
    } catch (error) {
      if (error instanceof CredentialsDecryptError || error instanceof SyntaxError)
        return undefined;
      throw error;
    }
  }

  private encrypt(
    sourceId: string,
    credentials: BrokerCredentials | VerifierSecret,
  ): Uint8Array<ArrayBuffer> {
    return new Uint8Array(
      this.cipher.encrypt(JSON.stringify(credentials), sourceCredentialsAad(sourceId)),
    );
  }
}

function missingSecret(field: string): ManagementError {
  return new ManagementError(
    'validation',
    `${field}: is required (the stored one is for another broker or cannot be read)`,
    field,
  );
}

/** A source body's settings (stored as they are) and secrets (stored encrypted). */
function split(body: PubSubSourceBody): {
  config: StoredPubSubConfig;
  credentials: BrokerCredentials;
} {
  switch (body.type) {
    case 'google': {
      const google = body.google!;
      const key = decodeServiceAccount(google.service_account);
      const email = key?.['client_email'];
      return {
        config: {
          type: 'google',
          workers: body.workers,
          google: {
            project_id: google.project_id,
            subscription_id: google.subscription_id,
            ...(typeof email === 'string' ? { client_email: email } : {}),
          },
        },
        credentials: { type: 'google', service_account: google.service_account },
      };
    }
    case 'sqs': {
      const sqs = body.sqs!;
      return {
        config: {
          type: 'sqs',
          workers: body.workers,
          sqs: {
            queue_name: sqs.queue_name,
            default_region: sqs.default_region,
            ...(sqs.endpoint !== undefined ? { endpoint: sqs.endpoint } : {}),
            access_key_id_hint: sqs.access_key_id.length > 8 ? sqs.access_key_id.slice(-4) : '',
          },
        },
        credentials: { type: 'sqs', access_key_id: sqs.access_key_id, secret_key: sqs.secret_key },
      };
    }
    case 'amqp': {
      const amqp = body.amqp!;
      return {
        config: {
          type: 'amqp',
          workers: body.workers,
          amqp: {
            schema: amqp.schema,
            host: amqp.host.replace(/^\[|\]$/g, ''),
            port: amqp.port,
            queue: amqp.queue,
            ...(amqp.auth ? { user: amqp.auth.user } : {}),
            ...(amqp.bindedExchange !== undefined ? { bindedExchange: amqp.bindedExchange } : {}),
            ...(amqp.deadLetterExchange !== undefined
              ? { deadLetterExchange: amqp.deadLetterExchange }
              : {}),
            routingKey: amqp.routingKey,
            vhost: amqp.vhost ?? '/',
          },
        },
        credentials: { type: 'amqp', password: amqp.auth?.password ?? '' },
      };
    }
  }
}
