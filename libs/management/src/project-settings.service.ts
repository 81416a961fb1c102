import { Inject, Injectable } from '@nestjs/common';
import {
  META_EVENT_TYPES,
  projectConfigSchema,
  UUID_PATTERN,
  type ProjectConfig,
  type UpdateProjectBody,
} from '@flotilla/contracts';
import { EndpointRepository, ProjectRepository, type Project } from '@flotilla/db';
import { liveSecrets } from '@flotilla/delivery';
import { EgressPolicy, InvalidCidrError, validateEndpointUrl } from '@flotilla/egress';
import { decodeStandardSecret, isEd25519SecretKey } from '@flotilla/signing';
import { ApiKeysService } from './api-keys.service';
import { EGRESS_POLICY } from './endpoints.service';
import { ManagementError } from './management-error';
import { ProjectsService } from './projects.service';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Changing and deleting projects (`PUT`, `DELETE /projects/{id}`), and the checks a config needs. */
@Injectable()
export class ProjectSettingsService {
  constructor(
    private readonly projects: ProjectRepository,
    private readonly projectsService: ProjectsService,
    private readonly apiKeys: ApiKeysService,
    private readonly endpoints: EndpointRepository,
    @Inject(EGRESS_POLICY) private readonly egress: EgressPolicy,
  ) {}

  /**
   * What the schema cannot say: the meta URL must pass the egress (SSRF) policy and is required when
   * meta events are on, meta event types must be known, allowlist entries must be CIDRs, and the
   * signature header must be a header name. Errors name the field (`config.meta_event.url`).
   */
  validateConfig(config: ProjectConfig): void {
    const meta = config.meta_event;
    if (meta.is_enabled && !meta.url) {
      throw invalid('config.meta_event.url', 'is required when meta events are enabled');
    }
    if (meta.url !== undefined) {
      const validation = validateEndpointUrl(meta.url, this.egress);
      if (!validation.valid) throw invalid('config.meta_event.url', validation.reason);
    }
    meta.event_type.forEach((type, index) => {
      if (!(META_EVENT_TYPES as readonly string[]).includes(type)) {
        throw invalid(
          `config.meta_event.event_type.${String(index)}`,
          `unknown meta event type "${type}" (one of ${META_EVENT_TYPES.join(', ')})`,
        );
      }
    });
    try {
      new EgressPolicy(config.ssrf.allow_cidrs);
    } catch (error) {
      if (error instanceof InvalidCidrError)
        throw invalid('config.ssrf.allow_cidrs', error.message);
      throw error;
    }
    if (!HEADER_NAME.test(config.signature.header)) {
      throw invalid('config.signature.header', 'must be a valid HTTP header name');
    }
  }

  /**
   * `name` replaces; `config` is merged into the stored config (objects field by field, arrays and
   * values replaced) and the result validated whole, so a client can change one setting alone.
   */
  async update(projectId: string, body: UpdateProjectBody): Promise<Project> {
    const project = await this.projectsService.get(projectId);
    let config: ProjectConfig | undefined;
    if (body.config !== undefined) {
      const parsed = projectConfigSchema.safeParse(deepMerge(project.config, body.config));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = ['config', ...(issue?.path.map(String) ?? [])].join('.');
        throw invalid(field, issue?.message ?? 'is invalid');
      }
      config = parsed.data;
      this.validateConfig(config);
      await this.assertSecretsFit(projectId, projectConfigSchema.parse(project.config), config);
    }
    const updated = await this.projects.update(project.id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(config !== undefined ? { config } : {}),
    });
    if (!updated) throw new ManagementError('not_found', `project ${projectId} not found`);
    return updated;
  }

  /**
   * Soft delete: the project answers 404 from now on, its keys stop authenticating (at once on this
   * replica, within the auth cache time on others), nothing more is delivered for it.
   */
  async delete(projectId: string): Promise<void> {
    const deleted = UUID_PATTERN.test(projectId)
      ? await this.projects.softDelete(projectId)
      : false;
    if (!deleted) throw new ManagementError('not_found', `project ${projectId} not found`);
    this.apiKeys.forgetProject(projectId);
  }

  /**
   * Standard Webhooks needs `whsec_` (or `whsk_` ed25519) secrets; Convoy signing takes any string
   * but only as an HMAC key. Switching a project's format while an endpoint holds secrets the new
   * format cannot sign with would make its deliveries unsignable (or signed with a key the
   * receiver never had).
   */
  private async assertSecretsFit(
    projectId: string,
    before: ProjectConfig,
    after: ProjectConfig,
  ): Promise<void> {
    if (after.signature.format === before.signature.format) return;
    const fits = after.signature.format === 'standard-webhooks' ? isStandardSecret : isHmacSecret;
    const now = new Date();
    for (const endpoint of await this.endpoints.secretsOfProject(projectId)) {
      const unfit = liveSecrets(endpoint.secrets, now).some((secret) => !fits(secret));
      if (unfit) {
        throw new ManagementError(
          'conflict',
          after.signature.format === 'standard-webhooks'
            ? `config.signature.format: endpoint ${endpoint.id} has a secret that is not a Standard Webhooks secret (whsec_…); rotate it first with expire_secret`
            : `config.signature.format: endpoint ${endpoint.id} signs with ed25519, which Convoy signatures cannot; rotate it to hmac-sha256 first with expire_secret`,
          'config.signature.format',
        );
      }
    }
  }
}

function invalid(field: string, reason: string): ManagementError {
  return new ManagementError('validation', `${field}: ${reason}`, field);
}

function isStandardSecret(secret: string): boolean {
  if (isEd25519SecretKey(secret)) return true;
  try {
    return secret.startsWith('whsec_') && decodeStandardSecret(secret).length >= 24;
  } catch {
    return false;
  }
}

function isHmacSecret(secret: string): boolean {
  return !isEd25519SecretKey(secret);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `patch` over `base`: objects merge key by key, anything else (arrays included) replaces. */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) merged[key] = deepMerge(base[key], value);
  return merged;
}
