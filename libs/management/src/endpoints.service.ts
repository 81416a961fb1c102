import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  maskCredentialHeaders,
  newId,
  projectConfigSchema,
  UUID_PATTERN,
  type CreateEndpointBody,
  type ExpireSecretBody,
  type MetaEventType,
  type SignatureAlgorithm,
  type UpdateEndpointBody,
  type EndpointListQuery,
} from '@flotilla/contracts';
import {
  EndpointRepository,
  type Endpoint,
  type EndpointSecret,
  type PageResult,
} from '@flotilla/db';
import { META_EVENTS, MetaEventQueue } from '@flotilla/delivery';
import { EgressPolicy, validateEndpointUrl } from '@flotilla/egress';
import {
  CredentialsCipher,
  decodeStandardSecret,
  ed25519PrivateKey,
  generateEd25519KeyPair,
  generateStandardSecret,
  isEd25519SecretKey,
} from '@flotilla/signing';
import { storeEndpointAuth } from './endpoint-credentials';
import { currentSignatureAlgorithm } from './endpoint-signing';
import { ManagementError } from './management-error';
import { presentEndpoint } from './presenters';
import { ProjectsService } from './projects.service';
import { toCursor } from './event-log.service';

export const EGRESS_POLICY = Symbol('EGRESS_POLICY');
export const MAX_ENDPOINTS_PER_PROJECT = Symbol('MAX_ENDPOINTS_PER_PROJECT');

@Injectable()
export class EndpointsService {
  constructor(
    private readonly endpoints: EndpointRepository,
    private readonly projects: ProjectsService,
    @Inject(EGRESS_POLICY) private readonly egress: EgressPolicy,
    @Inject(META_EVENTS) private readonly metaEvents: MetaEventQueue,
    @Inject(MAX_ENDPOINTS_PER_PROJECT) private readonly maxEndpoints: number,
    private readonly cipher: CredentialsCipher,
  ) {}

  async create(projectId: string, body: CreateEndpointBody): Promise<Endpoint> {
    const validation = validateEndpointUrl(body.url, this.egress);
    if (!validation.valid)
      throw new ManagementError('validation', `url: ${validation.reason}`, 'url');
    // A cap, not a reservation: concurrent creates may pass it by a few. It bounds what one
    // project's broadcast fans out to (per-project fairness in the deliver stage is not built yet).
    if ((await this.endpoints.countLive(projectId)) >= this.maxEndpoints) {
      throw new ManagementError(
        'validation',
        `this project already has the most endpoints allowed (MAX_ENDPOINTS_PER_PROJECT: ${String(this.maxEndpoints)} endpoints); delete one first`,
        'endpoints',
      );
    }
    const id = newId();
    const auth = storeEndpointAuth(id, undefined, body.authentication, body.mtls_client_cert, {
      cipher: this.cipher,
      egress: this.egress,
    });
    const secret = await this.newSecret(projectId, body.secret, body.signature_algorithm);
    const created = await this.endpoints.create({
      id,
      projectId,
      name: body.name,
      url: validation.url.toString(),
      description: body.description ?? null,
      ownerId: body.owner_id ?? null,
      secrets: [secret] as unknown as object,
      advancedSignatures: body.advanced_signatures,
      supportEmail: body.support_email ?? null,
      httpTimeoutSeconds: body.http_timeout,
      rateLimit: body.rate_limit,
      rateLimitDuration: body.rate_limit_duration,
      contentType: body.content_type,
      customHeaders: body.custom_headers,
      ...(auth.authentication ? { authentication: auth.authentication } : {}),
      ...(auth.credentials ? { credentials: auth.credentials } : {}),
      ...(auth.mtlsClientCert ? { mtlsClientCert: auth.mtlsClientCert } : {}),
      ordered: body.ordered,
    });
    await this.announce('endpoint.created', created);
    return created;
  }

  /**
   * Partial update: absent fields stay, `null` clears an optional field. A new `url` passes the
   * egress (SSRF) policy again; a new `secret`, or a `signature_algorithm` other than the current
   * one, replaces every secret at once.
   */
  async update(projectId: string, endpointId: string, body: UpdateEndpointBody): Promise<Endpoint> {
    const endpoint = await this.get(projectId, endpointId);
    let url: string | undefined;
    if (body.url !== undefined) {
      const validation = validateEndpointUrl(body.url, this.egress);
      if (!validation.valid)
        throw new ManagementError('validation', `url: ${validation.reason}`, 'url');
      url = validation.url.toString();
    }
    const auth = storeEndpointAuth(
      endpoint.id,
      endpoint,
      body.authentication,
      body.mtls_client_cert,
      { cipher: this.cipher, egress: this.egress },
    );
    // Convoy clients PUT the whole endpoint back: an unchanged algorithm must not rotate the key.
    const current = currentSignatureAlgorithm(endpoint.secrets as unknown as EndpointSecret[]);
    const switching =
      body.signature_algorithm !== undefined && body.signature_algorithm !== current;
    const secrets =
      body.secret === undefined && !switching
        ? undefined
        : [await this.newSecret(projectId, body.secret, body.signature_algorithm)];
    const updated = await this.endpoints.update(projectId, endpoint.id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(url !== undefined ? { url } : {}),
      ...(secrets !== undefined ? { secrets: secrets as unknown as object } : {}),
      ...(body.owner_id !== undefined ? { ownerId: body.owner_id } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.advanced_signatures !== undefined
        ? { advancedSignatures: body.advanced_signatures }
        : {}),
      ...(body.support_email !== undefined ? { supportEmail: body.support_email } : {}),
      ...(body.http_timeout !== undefined ? { httpTimeoutSeconds: body.http_timeout } : {}),
      ...(body.rate_limit !== undefined ? { rateLimit: body.rate_limit } : {}),
      ...(body.rate_limit_duration !== undefined
        ? { rateLimitDuration: body.rate_limit_duration }
        : {}),
      ...(body.content_type !== undefined ? { contentType: body.content_type } : {}),
      ...(body.custom_headers !== undefined ? { customHeaders: body.custom_headers } : {}),
      ...(auth.authentication !== undefined ? { authentication: auth.authentication } : {}),
      ...(auth.credentials !== undefined ? { credentials: auth.credentials } : {}),
      ...(auth.mtlsClientCert !== undefined ? { mtlsClientCert: auth.mtlsClientCert } : {}),
    });
    if (!updated) throw new ManagementError('not_found', `endpoint ${endpointId} not found`);
    await this.announce('endpoint.updated', updated);
    return updated;
  }

  /** Soft delete; its subscriptions go with it and its pending deliveries end Discarded. */
  async delete(projectId: string, endpointId: string): Promise<void> {
    const endpoint = await this.get(projectId, endpointId);
    if (!(await this.endpoints.softDelete(projectId, endpoint.id))) {
      throw new ManagementError('not_found', `endpoint ${endpointId} not found`);
    }
    await this.announce('endpoint.deleted', endpoint);
  }

  /**
   * Convoy's pause toggle: active → paused, paused → active. A paused endpoint keeps its deliveries
   * (they wait, unattempted) and gets them when it is active again. An inactive (disabled) endpoint
   * is neither: it is 409, use activate.
   */
  async togglePause(projectId: string, endpointId: string): Promise<Endpoint> {
    const endpoint = await this.get(projectId, endpointId);
    if (endpoint.status === 'inactive') {
      throw new ManagementError(
        'conflict',
        'status: the endpoint is inactive; it cannot be paused or unpaused (use POST /activate)',
        'status',
      );
    }
    const to = endpoint.status === 'paused' ? 'active' : 'paused';
    const changed = await this.endpoints.transition(projectId, endpoint.id, [endpoint.status], to);
    if (!changed)
      throw new ManagementError(
        'conflict',
        'status: the endpoint changed meanwhile; try again',
        'status',
      );
    await this.announce('endpoint.updated', changed);
    return changed;
  }

  /**
   * Any status → active, clearing the breaker's record of the endpoint (consecutive trips, why it was
   * disabled). Deliveries that waited for a pause go out now; those discarded while it was inactive
   * stay discarded (batch retry sends them again).
   */
  async activate(projectId: string, endpointId: string): Promise<Endpoint> {
    const endpoint = await this.get(projectId, endpointId);
    const changed = await this.endpoints.transition(
      projectId,
      endpoint.id,
      ['active', 'inactive', 'paused'],
      'active',
    );
    if (!changed) throw new ManagementError('not_found', `endpoint ${endpointId} not found`);
    await this.announce('endpoint.updated', changed);
    return changed;
  }

  /** Queues an endpoint meta event (never waits for it); secrets and credentials are left out. */
  private async announce(type: MetaEventType, endpoint: Endpoint): Promise<void> {
    const project = await this.projects.get(endpoint.projectId).catch(() => undefined);
    if (!project) return;
    const {
      secrets: _secrets,
      authentication,
      custom_headers,
      ...shown
    } = presentEndpoint(endpoint);
    const data = {
      ...shown,
      // Credentials in custom headers are masked, and the api_key value is left out (the OAuth2
      // client secret and the mTLS key are already [REDACTED] in the presented endpoint).
      custom_headers: maskCredentialHeaders(custom_headers),
      authentication:
        authentication?.type === 'api_key'
          ? { type: 'api_key', api_key: { header_name: authentication.api_key.header_name } }
          : (authentication ?? null),
    };
    this.metaEvents.publish(project.id, projectConfigSchema.parse(project.config), type, data);
  }

  /**
   * Zero-downtime rotation: a new secret signs from now on; the live ones keep signing until
   * `expiration` seconds from now, so every delivery meanwhile carries both signatures.
   */
  async expireSecret(
    projectId: string,
    endpointId: string,
    body: ExpireSecretBody,
  ): Promise<Endpoint> {
    const endpoint = await this.get(projectId, endpointId);
    const secrets = endpoint.secrets as unknown as EndpointSecret[];
    const now = new Date();
    const expiresAt = new Date(now.getTime() + body.expiration * 1000).toISOString();
    const kept = secrets
      .filter((secret) => secret.expires_at === null || new Date(secret.expires_at) > now)
      .map((secret) =>
        secret.expires_at === null || secret.expires_at > expiresAt
          ? { ...secret, expires_at: expiresAt }
          : secret,
      );
    // A rotation keeps the endpoint's algorithm unless told otherwise (or given a key of the other).
    const algorithm =
      body.signature_algorithm ??
      (body.secret === undefined ? currentSignatureAlgorithm(secrets) : undefined);
    const fresh = await this.newSecret(projectId, body.secret, algorithm);
    return this.endpoints.setSecrets(projectId, endpoint.id, [...kept, fresh]);
  }

  /**
   * A new secret in the project's signature format (`given`, checked, or generated). `algorithm`
   * unset means HMAC, unless `given` is a `whsk_` ed25519 key.
   */
  async newSecret(
    projectId: string,
    given: string | undefined,
    algorithm?: SignatureAlgorithm,
  ): Promise<EndpointSecret> {
    const project = await this.projects.get(projectId);
    const format = projectConfigSchema.parse(project.config).signature.format;
    const ed25519 =
      algorithm === 'ed25519' ||
      (algorithm === undefined &&
        format === 'standard-webhooks' &&
        given !== undefined &&
        isEd25519SecretKey(given));
    let value: string;
    if (ed25519) {
      // Convoy signatures are HMACs only; v1a exists in Standard Webhooks alone.
      if (format !== 'standard-webhooks') {
        throw new ManagementError(
          'validation',
          'signature_algorithm: ed25519 needs the project signature format standard-webhooks',
          'signature_algorithm',
        );
      }
      if (given !== undefined) assertEd25519SecretKey(given);
      value = given ?? generateEd25519KeyPair().secretKey;
    } else {
      if (format === 'standard-webhooks' && given !== undefined) assertStandardSecret(given);
      value =
        given ??
        (format === 'standard-webhooks'
          ? generateStandardSecret()
          : randomBytes(24).toString('base64url'));
    }
    return { uid: newId(), value, created_at: new Date().toISOString(), expires_at: null };
  }

  async get(projectId: string, endpointId: string): Promise<Endpoint> {
    const endpoint = UUID_PATTERN.test(endpointId)
      ? await this.endpoints.findById(projectId, endpointId)
      : null;
    if (!endpoint) throw new ManagementError('not_found', `endpoint ${endpointId} not found`);
    return endpoint;
  }

  list(projectId: string, query: EndpointListQuery): Promise<PageResult<Endpoint>> {
    return this.endpoints.page(projectId, toCursor(query), {
      ownerId: query.ownerId,
      name: query.q,
    });
  }
}

/** Standard Webhooks ed25519 secret keys are `whsk_` + base64 of a 32-byte seed. */
function assertEd25519SecretKey(secret: string): void {
  try {
    ed25519PrivateKey(secret);
  } catch {
    throw new ManagementError(
      'validation',
      'secret: an ed25519 secret must be whsk_ + base64 of a 32-byte seed (whpk_ is the public key; omit secret to have a key pair generated)',
      'secret',
    );
  }
}

/** Standard Webhooks secrets are `whsec_` + base64 of 24 to 64 random bytes. */
function assertStandardSecret(secret: string): void {
  let bytes = 0;
  try {
    bytes = secret.startsWith('whsec_') ? decodeStandardSecret(secret).length : 0;
  } catch {
    bytes = 0;
  }
  if (bytes < 24 || bytes > 64) {
    throw new ManagementError(
      'validation',
      'secret: this project signs with Standard Webhooks; a secret must be whsec_ + base64 of 24 to 64 bytes (or omit it to have one generated)',
      'secret',
    );
  }
}
