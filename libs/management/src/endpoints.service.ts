import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  newId,
  projectConfigSchema,
  UUID_PATTERN,
  type CreateEndpointBody,
  type ExpireSecretBody,
} from '@flotilla/contracts';
import { EndpointRepository, type Cursor, type Endpoint, type EndpointSecret, type PageResult } from '@flotilla/db';
import { EgressPolicy, validateEndpointUrl } from '@flotilla/delivery';
import { decodeStandardSecret, generateStandardSecret } from '@flotilla/signing';
import { ManagementError } from './management-error';
import { ProjectsService } from './projects.service';

export const EGRESS_POLICY = Symbol('EGRESS_POLICY');

@Injectable()
export class EndpointsService {
  constructor(
    private readonly endpoints: EndpointRepository,
    private readonly projects: ProjectsService,
    @Inject(EGRESS_POLICY) private readonly egress: EgressPolicy,
  ) {}

  async create(projectId: string, body: CreateEndpointBody): Promise<Endpoint> {
    const validation = validateEndpointUrl(body.url, this.egress);
    if (!validation.valid) throw new ManagementError('validation', `url: ${validation.reason}`, 'url');
    const secret = await this.newSecret(projectId, body.secret);
    return this.endpoints.create({
      id: newId(),
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
      ...(body.authentication ? { authentication: body.authentication } : {}),
      ordered: body.ordered,
    });
  }

  /**
   * Zero-downtime rotation: a new secret signs from now on; the live ones keep signing until
   * `expiration` seconds from now, so every delivery meanwhile carries both signatures.
   */
  async expireSecret(projectId: string, endpointId: string, body: ExpireSecretBody): Promise<Endpoint> {
    const endpoint = await this.get(projectId, endpointId);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + body.expiration * 1000).toISOString();
    const kept = (endpoint.secrets as unknown as EndpointSecret[])
      .filter((secret) => secret.expires_at === null || new Date(secret.expires_at) > now)
      .map((secret) =>
        secret.expires_at === null || secret.expires_at > expiresAt ? { ...secret, expires_at: expiresAt } : secret,
      );
    const fresh = await this.newSecret(projectId, body.secret);
    return this.endpoints.setSecrets(projectId, endpoint.id, [...kept, fresh]);
  }

  private async newSecret(projectId: string, given: string | undefined): Promise<EndpointSecret> {
    const project = await this.projects.get(projectId);
    const format = projectConfigSchema.parse(project.config).signature.format;
    if (format === 'standard-webhooks' && given !== undefined) assertStandardSecret(given);
    return {
      uid: newId(),
      value: given ?? (format === 'standard-webhooks' ? generateStandardSecret() : randomBytes(24).toString('base64url')),
      created_at: new Date().toISOString(),
      expires_at: null,
    };
  }

  async get(projectId: string, endpointId: string): Promise<Endpoint> {
    const endpoint = UUID_PATTERN.test(endpointId) ? await this.endpoints.findById(projectId, endpointId) : null;
    if (!endpoint) throw new ManagementError('not_found', `endpoint ${endpointId} not found`);
    return endpoint;
  }

  list(projectId: string, cursor: Cursor, ownerId?: string): Promise<PageResult<Endpoint>> {
    return this.endpoints.page(projectId, cursor, ownerId);
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
