import { Inject, Injectable } from '@nestjs/common';
import {
  newId,
  UUID_PATTERN,
  type CreateApiKeyBody,
  type CreatedApiKeyResponse,
} from '@flotilla/contracts';
import {
  ApiKeyRepository,
  isUniqueViolation,
  type ApiKey,
  type Cursor,
  type PageResult,
} from '@flotilla/db';
import { LOGGER, type Logger } from '@flotilla/observability';
import { apiKeySecretMatches, generateApiKey, parseApiKey, presentApiKey } from './api-key';
import { ManagementError } from './management-error';
import { ProjectsService } from './projects.service';

/**
 * How long a successful authentication is reused. Revocation through this replica takes effect at
 * once (it drops its cache entries); other replicas notice within this time. Expiry is exact.
 */
export const AUTH_CACHE_MS = 10_000;
/** `last_used_at` is written at most this often per key and replica: it costs no write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;
const AUTH_CACHE_MAX_ENTRIES = 10_000;
/**
 * How long a refused bearer value is refused again without asking the database: repeated guesses
 * or a misconfigured client retrying a bad key cost one query per this time. A refusal cannot turn
 * into a success later (keys are random; revoked, expired and deleted are final).
 */
export const AUTH_REFUSAL_CACHE_MS = 10_000;

/** Who a bearer key is: the key (for per-key limits) and the one project it reaches. */
export interface AuthenticatedKey {
  keyId: string;
  projectId: string;
}

interface CachedKey extends AuthenticatedKey {
  expiresAt: number | null;
  cachedAt: number;
}

/**
 * Project API keys: `FL.<prefix>.<secret>`, 256 random bits of secret of which only a SHA-256 is
 * stored; shown once when created; listed by prefix; revocable; optionally expiring. A key
 * reaches exactly the project it was made for.
 */
@Injectable()
export class ApiKeysService {
  private readonly cache = new Map<string, CachedKey>();
  private readonly refusals = new Map<string, { error: ManagementError; at: number }>();
  /** Prefixes of keys that authenticated on this replica: real clients, not guesses. */
  private readonly knownPrefixes = new Set<string>();

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly projects: ProjectsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** A new key; the answer is the only time its full value (`key`) is ever shown. */
  async create(projectId: string, body: CreateApiKeyBody): Promise<CreatedApiKeyResponse> {
    await this.projects.get(projectId);
    const now = Date.now();
    let expiresAt: Date | null = null;
    if (body.expires_at !== undefined) {
      expiresAt = new Date(body.expires_at);
      if (expiresAt.getTime() <= now) {
        throw new ManagementError('validation', 'expires_at: must be in the future', 'expires_at');
      }
    } else if (body.expiration !== undefined) {
      expiresAt = new Date(now + body.expiration * 1000);
    }
    const generated = generateApiKey();
    const name = body.name ?? `key-${generated.prefix}`;
    let created: ApiKey;
    try {
      created = await this.keys.create(projectId, {
        id: newId(),
        name,
        prefix: generated.prefix,
        keyHash: generated.keyHash,
        expiresAt,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ManagementError(
          'conflict',
          `name: this project already has an API key named "${name}"`,
          'name',
        );
      }
      throw error;
    }
    return { ...presentApiKey(created), key: generated.key };
  }

  async list(projectId: string, cursor: Cursor): Promise<PageResult<ApiKey>> {
    await this.projects.get(projectId);
    return this.keys.page(projectId, cursor);
  }

  async get(projectId: string, keyId: string): Promise<ApiKey> {
    const key = UUID_PATTERN.test(keyId) ? await this.keys.findById(projectId, keyId) : null;
    if (!key) throw new ManagementError('not_found', `API key ${keyId} not found`);
    return key;
  }

  /** Idempotent: revoking a revoked key changes nothing and answers it as it is. */
  async revoke(projectId: string, keyId: string): Promise<ApiKey> {
    const key = UUID_PATTERN.test(keyId)
      ? await this.keys.revoke(projectId, keyId, new Date())
      : null;
    if (!key) throw new ManagementError('not_found', `API key ${keyId} not found`);
    for (const [bearer, cached] of this.cache) {
      if (cached.keyId === key.id) this.cache.delete(bearer);
    }
    return key;
  }

  /** Drops this replica's cached authentications for a project's keys (the project was deleted). */
  forgetProject(projectId: string): void {
    for (const [bearer, cached] of this.cache) {
      if (cached.projectId === projectId) this.cache.delete(bearer);
    }
  }

  /**
   * The key and project a bearer value stands for, or 401 saying why not. The secret is checked
   * (constant-time) before any state is revealed, so only the key's holder learns it was revoked
   * or expired.
   */
  async authenticate(bearer: string): Promise<AuthenticatedKey> {
    const now = Date.now();
    const cached = this.cachedKey(bearer, now);
    if (cached) return cached;
    const refused = this.refusals.get(bearer);
    if (refused && now - refused.at < AUTH_REFUSAL_CACHE_MS) throw refused.error;
    try {
      return await this.lookUp(bearer, now);
    } catch (error) {
      if (error instanceof ManagementError && error.code === 'unauthorized') {
        if (this.refusals.size >= AUTH_CACHE_MAX_ENTRIES) this.refusals.clear();
        this.refusals.set(bearer, { error, at: now });
      }
      throw error;
    }
  }

  /** Whether a bearer value carries the prefix of a key that authenticated here before. */
  isKnownKey(bearer: string): boolean {
    const parsed = parseApiKey(bearer);
    return parsed !== undefined && this.knownPrefixes.has(parsed.prefix);
  }

  /** A still-valid authentication this replica remembers, without asking the database. */
  cachedKey(bearer: string, now: number = Date.now()): AuthenticatedKey | undefined {
    const cached = this.cache.get(bearer);
    if (cached && now - cached.cachedAt < AUTH_CACHE_MS) {
      if (cached.expiresAt === null || cached.expiresAt > now)
        return { keyId: cached.keyId, projectId: cached.projectId };
      this.cache.delete(bearer);
    }
    return undefined;
  }

  private async lookUp(bearer: string, now: number): Promise<AuthenticatedKey> {
    const parsed = parseApiKey(bearer);
    const row = parsed ? await this.keys.findByPrefix(parsed.prefix) : null;
    if (!parsed || !row || !apiKeySecretMatches(parsed.secret, row.keyHash)) {
      throw new ManagementError('unauthorized', 'invalid API key', 'Authorization');
    }
    if (row.revokedAt) {
      throw new ManagementError(
        'unauthorized',
        `API key ${row.prefix} was revoked at ${row.revokedAt.toISOString()}`,
        'Authorization',
      );
    }
    if (row.expiresAt && row.expiresAt.getTime() <= now) {
      throw new ManagementError(
        'unauthorized',
        `API key ${row.prefix} expired at ${row.expiresAt.toISOString()}`,
        'Authorization',
      );
    }
    if (row.project.deletedAt) {
      throw new ManagementError(
        'unauthorized',
        "this API key's project was deleted",
        'Authorization',
      );
    }
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      void this.keys.touchLastUsed(row.id, new Date(now)).catch((error: unknown) => {
        this.logger.warn({ err: error, keyId: row.id }, 'could not record API key use');
      });
    }
    if (this.cache.size >= AUTH_CACHE_MAX_ENTRIES) this.cache.clear();
    if (this.knownPrefixes.size >= AUTH_CACHE_MAX_ENTRIES) this.knownPrefixes.clear();
    this.knownPrefixes.add(row.prefix);
    this.cache.set(bearer, {
      keyId: row.id,
      projectId: row.projectId,
      expiresAt: row.expiresAt?.getTime() ?? null,
      cachedAt: now,
    });
    return { keyId: row.id, projectId: row.projectId };
  }
}
