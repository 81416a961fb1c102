import type { OAuth2Settings } from '@flotilla/contracts';
import { createHash } from 'node:crypto';
import type { HttpSender, SendErrorKind } from '../http/http-sender';

/** The OAuth2 settings stored on an endpoint (its `authentication.oauth2`, without the secret). */
export type StoredOAuth2Settings = Omit<OAuth2Settings, 'client_secret'>;

/** Why no token could be had: recorded as the attempt's error. */
export class OAuth2TokenError extends Error {
  constructor(
    message: string,
    readonly errorKind: SendErrorKind | 'oauth2_token',
  ) {
    super(message);
    this.name = 'OAuth2TokenError';
  }
}

interface CachedToken {
  /** Which settings and secret the token was fetched with: any change fetches a new one. */
  fingerprint: string;
  token: string;
  /** When to fetch a new one (before the token expires). */
  refreshAt: number;
}

/** Token lifetime when the token endpoint gives none (Convoy's default). */
const DEFAULT_LIFETIME_MS = 3_600_000;
/** At most this long, whatever the token endpoint says. */
const MAX_LIFETIME_MS = 24 * 3_600_000;
/** Bound on one token request. */
const TOKEN_TIMEOUT_MS = 30_000;
/** Endpoints whose tokens are kept at once (the oldest is dropped past it). */
const MAX_TOKENS_CACHED = 10_000;

const UNIT_MS = { seconds: 1000, milliseconds: 1, minutes: 60_000, hours: 3_600_000 } as const;

/**
 * OAuth2 client-credentials tokens per endpoint. A token is reused until shortly before it expires
 * (a tenth of its lifetime early, at least one minute when it lives longer than two), concurrent
 * deliveries share one token request, and `invalidate` (on a 401 from the endpoint) makes the next
 * delivery fetch a new one. Token requests leave through the sender's guarded connections, so the
 * token URL passes the same egress (SSRF) check as deliveries, at connect time.
 */
export class OAuth2TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, { fingerprint: string; token: Promise<string> }>();

  constructor(
    private readonly sender: HttpSender,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid access token for the endpoint, fetched when none is cached; throws OAuth2TokenError. */
  async token(
    endpointId: string,
    settings: StoredOAuth2Settings,
    clientSecret: string,
  ): Promise<string> {
    const fingerprint = fingerprintOf(settings, clientSecret);
    const cached = this.tokens.get(endpointId);
    if (cached?.fingerprint === fingerprint && this.now() < cached.refreshAt) return cached.token;
    const inFlight = this.pending.get(endpointId);
    if (inFlight?.fingerprint === fingerprint) return inFlight.token;
    const token = this.fetch(endpointId, fingerprint, settings, clientSecret).finally(() => {
      if (this.pending.get(endpointId)?.token === token) this.pending.delete(endpointId);
    });
    this.pending.set(endpointId, { fingerprint, token });
    return token;
  }

  /** Forgets the endpoint's token (it answered 401): the next delivery fetches a new one. */
  invalidate(endpointId: string): void {
    this.tokens.delete(endpointId);
  }

  private async fetch(
    endpointId: string,
    fingerprint: string,
    settings: StoredOAuth2Settings,
    clientSecret: string,
  ): Promise<string> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: settings.client_id,
      client_secret: clientSecret,
    });
    if (settings.scope) form.set('scope', settings.scope);
    if (settings.audience) form.set('audience', settings.audience);
    const sent = await this.sender.send({
      url: settings.url,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'user-agent': 'Flotilla/0.1',
      },
      body: form.toString(),
      timeoutMs: TOKEN_TIMEOUT_MS,
    });
    const where = `OAuth2 token request to ${settings.url}`;
    if (sent.kind === 'error')
      throw new OAuth2TokenError(`${where} failed: ${sent.message}`, sent.errorKind);
    if (sent.status < 200 || sent.status >= 300) {
      throw new OAuth2TokenError(
        `${where} failed: HTTP ${sent.status} ${oauth2ErrorOf(sent.body)}`.trimEnd(),
        'oauth2_token',
      );
    }
    const { token, lifetimeMs } = parseTokenResponse(sent.body, settings, where);
    const now = this.now();
    const early = Math.max(lifetimeMs / 10, lifetimeMs > 120_000 ? 60_000 : 0);
    if (this.tokens.size >= MAX_TOKENS_CACHED && !this.tokens.has(endpointId)) {
      const oldest = this.tokens.keys().next().value;
      if (oldest !== undefined) this.tokens.delete(oldest);
    }
    this.tokens.set(endpointId, { fingerprint, token, refreshAt: now + lifetimeMs - early });
    return token;
  }
}

/** The access token and its lifetime from a token response (Convoy's field_mapping and units). */
export function parseTokenResponse(
  body: string,
  settings: Pick<StoredOAuth2Settings, 'field_mapping' | 'expiry_time_unit'>,
  where = 'OAuth2 token response',
): { token: string; lifetimeMs: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new OAuth2TokenError(`${where}: the answer is not JSON`, 'oauth2_token');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new OAuth2TokenError(`${where}: the answer is not a JSON object`, 'oauth2_token');
  const fields = parsed as Record<string, unknown>;
  const tokenField = settings.field_mapping?.access_token ?? 'access_token';
  const token = fields[tokenField];
  if (typeof token !== 'string' || token.length === 0 || !/^[\x21-\x7e]+$/.test(token)) {
    throw new OAuth2TokenError(
      `${where}: the answer has no usable "${tokenField}" (a non-empty printable string)`,
      'oauth2_token',
    );
  }
  const raw = fields[settings.field_mapping?.expires_in ?? 'expires_in'];
  const amount = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
  const lifetimeMs =
    Number.isFinite(amount) && amount > 0
      ? Math.min(MAX_LIFETIME_MS, amount * UNIT_MS[settings.expiry_time_unit ?? 'seconds'])
      : DEFAULT_LIFETIME_MS;
  return { token, lifetimeMs };
}

/** RFC 6749 §5.2 `error` (and description), bounded, for the attempt log. */
function oauth2ErrorOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    const parts = [parsed.error, parsed.error_description].filter(
      (part): part is string => typeof part === 'string',
    );
    return parts.length > 0 ? `(${parts.join(': ').slice(0, 300)})` : '';
  } catch {
    return '';
  }
}

function fingerprintOf(settings: StoredOAuth2Settings, clientSecret: string): string {
  return createHash('sha256')
    .update(JSON.stringify([settings, clientSecret]))
    .digest('base64url');
}
