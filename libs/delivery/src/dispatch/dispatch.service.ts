import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { MASKED_HEADER_VALUE, newId, type DeliveryMessageV1 } from '@flotilla/contracts';
import {
  AttemptRepository,
  DeliveryRepository,
  EndpointRepository,
  type DeliveryResult,
  type DispatchRow,
  type NewAttempt,
} from '@flotilla/db';
import {
  endpointBreakersGauge,
  endToEndLatencyHistogram,
  LOGGER,
  MetricsRegistry,
  SpanKind,
  SpanStatusCode,
  startSpanFor,
  uuidv7Millis,
  type Logger,
  type Span,
} from '@flotilla/observability';
import { CredentialsCipher } from '@flotilla/signing';
import { decryptEndpointCredentials, type EndpointCredentials } from '../auth/endpoint-credentials';
import {
  OAuth2TokenCache,
  OAuth2TokenError,
  type StoredOAuth2Settings,
} from '../auth/oauth2-token-cache';
import { EndpointBreakers, isFailure, type BreakerSettings } from '../breaker/endpoint-breakers';
import { publishDeliveryOutcomes } from '../meta/delivery-outcomes';
import { META_EVENTS, MetaEventQueue } from '../meta/meta-event.queue';
import { HttpSender, type SendResult } from '../http/http-sender';
import { nextRetryDelaySeconds, parseRetryAfter } from '../retry/retry-policy';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { EndpointRateLimiter } from './rate-limiter';
import { buildDeliveryRequest, projectConfigOf } from './delivery-request';
import { drainOrderedQueue } from './ordered-queue';

export const HTTP_SENDER = Symbol('HTTP_SENDER');
export const DISPATCH_CONCURRENCY = Symbol('DISPATCH_CONCURRENCY');
export const BREAKER_SETTINGS = Symbol('BREAKER_SETTINGS');

export interface DispatchBreakerSettings extends BreakerSettings {
  /** Consecutive trips after which an endpoint is disabled, when its project allows it (Convoy: 10). */
  disableAfterTrips: number;
}

/** A paused endpoint's deliveries wait this long before being looked at again. */
const PAUSED_RECHECK_SECONDS = 30;
/**
 * Requests one endpoint may have open at once. A slow endpoint keeps at most this many of the
 * dispatcher's connections busy; the rest of its deliveries wait (not as attempts) so that other
 * endpoints' deliveries are not queued behind it.
 */
export const MAX_IN_FLIGHT_PER_ENDPOINT = 128;
const BUSY_RECHECK_MS = 1000;

type Outcome =
  | 'success'
  | 'retry'
  | 'failure'
  | 'skipped'
  | 'deferred'
  | 'discarded'
  | 'throttled'
  | 'gone'
  | 'circuit_open';

/**
 * The deliver stage: for a batch of delivery messages, read their state in one query, send the
 * ones still due (concurrently, bounded), then write every attempt and every status change in two
 * set-based statements. Deliveries that already succeeded are not sent again (Kafka redelivery
 * after a crash).
 */
@Injectable()
export class DispatchService implements OnApplicationShutdown {
  private readonly limiter: ConcurrencyLimiter;
  private readonly rateLimiter = new EndpointRateLimiter();
  private readonly breakers: EndpointBreakers;
  private readonly inFlight = new Map<string, number>();
  private readonly maxInFlightPerEndpoint: number;
  private readonly attemptsCounter;
  private readonly latency;
  private readonly endToEnd;
  private readonly oauth2Tokens: OAuth2TokenCache;

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly attempts: AttemptRepository,
    private readonly endpoints: EndpointRepository,
    @Inject(HTTP_SENDER) private readonly sender: HttpSender,
    @Inject(DISPATCH_CONCURRENCY) concurrency: number,
    @Inject(BREAKER_SETTINGS) private readonly breakerSettings: DispatchBreakerSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: MetricsRegistry,
    @Inject(META_EVENTS) private readonly metaEvents: MetaEventQueue,
    private readonly cipher: CredentialsCipher,
  ) {
    // Token requests go out through the same sender, so the token URL passes the egress guard too.
    this.oauth2Tokens = new OAuth2TokenCache(sender);
    this.limiter = new ConcurrencyLimiter(concurrency);
    // At most half of the dispatcher's connections for one endpoint, so a slow one never takes them all.
    this.maxInFlightPerEndpoint = Math.max(
      1,
      Math.min(MAX_IN_FLIGHT_PER_ENDPOINT, Math.floor(concurrency / 2)),
    );
    this.breakers = new EndpointBreakers(breakerSettings);
    this.attemptsCounter = metrics.counter(
      'flotilla_delivery_attempts_total',
      'Deliveries handled by the dispatcher, by outcome',
      ['outcome'],
    );
    this.latency = metrics.histogram(
      'flotilla_delivery_request_seconds',
      'HTTP latency of delivery attempts',
      ['outcome'],
    );
    this.endToEnd = endToEndLatencyHistogram(metrics);
    endpointBreakersGauge(metrics, () => this.breakers.states());
  }

  onApplicationShutdown(): void {
    this.breakers.shutdown();
  }

  async dispatch(messages: readonly DeliveryMessageV1[]): Promise<void> {
    await this.dispatchLoaded(await this.deliveries.loadForDispatch(uniqueIds(messages)));
  }

  /**
   * The same for deliveries handed over in-process by the route stage (local-hand-off.ts), which
   * must not drain an ordered queue: the deliver stage's unit for that endpoint may be draining it
   * (its order would break). Answers the messages of ordered endpoints, for the deliveries topic.
   */
  async dispatchUnordered(
    messages: readonly DeliveryMessageV1[],
  ): Promise<{ ordered: DeliveryMessageV1[] }> {
    const loaded = await this.deliveries.loadForDispatch(uniqueIds(messages));
    const ordered = new Set(loaded.filter((row) => row.ordered).map((row) => row.id));
    await this.dispatchLoaded(loaded.filter((row) => !row.ordered));
    return { ordered: messages.filter((message) => ordered.has(message.delivery_id)) };
  }

  private async dispatchLoaded(loaded: readonly DispatchRow[]): Promise<void> {
    // Ordered endpoints' messages only wake their queue (ordered-queue.ts); the rest are sent as they come.
    const rows = loaded.filter((row) => !row.ordered);
    const wakeUps = new Map<string, Set<string>>();
    for (const row of loaded) {
      if (row.ordered)
        wakeUps.set(row.endpointId, (wakeUps.get(row.endpointId) ?? new Set()).add(row.id));
    }
    const results: DeliveryResult[] = [];
    const attempts: NewAttempt[] = [];
    const disable = new Map<string, { row: DispatchRow; reason: string }>();
    await Promise.all([
      ...rows.map(async (row) => {
        const outcome = await this.handle(row, results, attempts);
        this.observe(row, outcome, disable);
      }),
      ...[...wakeUps].map(([endpointId, wokenBy]) =>
        this.drainOrdered(endpointId, wokenBy, disable),
      ),
    ]);
    await this.record(rows, results, attempts);
    await this.disableEndpoints([...disable.values()]);
  }

  private observe(
    row: DispatchRow,
    outcome: Outcome,
    disable: Map<string, { row: DispatchRow; reason: string }>,
  ): void {
    this.attemptsCounter.inc({ outcome });
    // A delivery succeeds once (final deliveries are skipped), so this is its first success.
    if (outcome === 'success')
      this.endToEnd.observe(Math.max(0, Date.now() - uuidv7Millis(row.eventId)) / 1000);
    // Standard Webhooks: 410 Gone means the receiver wants no more deliveries.
    if (outcome === 'gone')
      disable.set(row.endpointId, { row, reason: 'the endpoint answered 410 Gone' });
    const trips = this.breakers.consecutiveTrips(row.endpointId);
    if (trips >= this.breakerSettings.disableAfterTrips && projectConfigOf(row).disable_endpoint) {
      disable.set(row.endpointId, {
        row,
        reason: `circuit breaker tripped ${trips} times in a row`,
      });
    }
  }

  private async record(
    rows: readonly DispatchRow[],
    results: DeliveryResult[],
    attempts: NewAttempt[],
  ): Promise<void> {
    await Promise.all([this.attempts.insertMany(attempts), this.deliveries.recordResults(results)]);
    // Meta events are queued once the results are written; sending them never holds the batch.
    publishDeliveryOutcomes(this.metaEvents, rows, results);
  }

  /** Strict FIFO for one ordered endpoint: the same checks and send as any delivery, one at a time. */
  private async drainOrdered(
    endpointId: string,
    wokenBy: ReadonlySet<string>,
    disable: Map<string, { row: DispatchRow; reason: string }>,
  ): Promise<void> {
    await drainOrderedQueue(endpointId, wokenBy, {
      load: (id, limit) => this.deliveries.loadOrderedQueue(id, limit),
      handle: (row, results, attempts) => this.handle(row, results, attempts),
      observe: (row, outcome) => {
        this.observe(row, outcome, disable);
      },
      record: (rows, results, attempts) => this.record(rows, results, attempts),
      markDue: (id) => this.deliveries.markDue(id),
    });
  }

  private async disableEndpoints(targets: { row: DispatchRow; reason: string }[]): Promise<void> {
    for (const { row, reason } of targets) {
      await this.endpoints.disable([row.endpointId], reason);
      this.breakers.forget(row.endpointId);
      this.logger.warn({ endpointId: row.endpointId, reason }, 'endpoint disabled');
      this.metaEvents.publish(row.projectId, projectConfigOf(row), 'endpoint.disabled', {
        uid: row.endpointId,
        project_id: row.projectId,
        url: row.url,
        status: 'inactive',
        reason,
      });
    }
  }

  private async handle(
    row: DispatchRow,
    results: DeliveryResult[],
    attempts: NewAttempt[],
  ): Promise<Outcome> {
    switch (row.status) {
      case 'Success':
      case 'Failure':
      case 'Discarded':
        return 'skipped';
      case 'Scheduled':
      case 'Processing':
      case 'Retry':
        break;
    }
    const now = new Date();
    switch (row.endpointStatus) {
      case 'inactive':
        results.push(this.result(row, 'Discarded', 0, now, null, 'endpoint is inactive'));
        return 'discarded';
      case 'paused':
        results.push(
          this.result(
            row,
            row.status,
            0,
            new Date(now.getTime() + PAUSED_RECHECK_SECONDS * 1000),
            null,
            'endpoint is paused',
          ),
        );
        return 'deferred';
      case 'active':
        break;
    }
    if ((this.inFlight.get(row.endpointId) ?? 0) >= this.maxInFlightPerEndpoint) {
      results.push(
        this.result(
          row,
          row.status,
          0,
          new Date(now.getTime() + BUSY_RECHECK_MS),
          null,
          'endpoint busy',
        ),
      );
      return 'deferred';
    }
    if (this.breakers.isOpen(row.endpointId)) {
      // A dead receiver's deliveries wait out the open breaker; they are not attempts.
      results.push(
        this.result(
          row,
          row.status,
          0,
          new Date(now.getTime() + this.breakerSettings.resetMs),
          null,
          'circuit breaker open',
        ),
      );
      return 'circuit_open';
    }
    const rate = this.rateLimiter.tryAcquire(
      row.endpointId,
      row.rateLimit,
      row.rateLimitDurationSeconds * 1000,
      now.getTime(),
    );
    if (!rate.allowed) {
      // Throttled deliveries wait for their slot without counting as an attempt.
      results.push(this.result(row, row.status, 0, new Date(rate.retryAt), null, 'rate limited'));
      return 'throttled';
    }
    const config = projectConfigOf(row);
    let sent: SendResult | 'open';
    let loggedHeaders: Record<string, string> = {};
    let span: Span | undefined;
    try {
      const request = buildDeliveryRequest(row, config, now);
      // Tracing on: a client span per attempt; its traceparent goes to the receiver and is recorded.
      const traced = startSpanFor(row.id, 'deliver', SpanKind.CLIENT, { 'url.full': row.url });
      Object.assign(request.headers, traced.headers);
      loggedHeaders = { ...request.loggedHeaders, ...traced.headers };
      span = traced.span;
      this.inFlight.set(row.endpointId, (this.inFlight.get(row.endpointId) ?? 0) + 1);
      try {
        const logged = loggedHeaders;
        sent = await this.breakers.run(row.endpointId, () =>
          this.limiter.run(() =>
            this.sendAuthenticated(row, {
              url: row.url,
              headers: request.headers,
              body: request.body,
              timeoutMs: row.httpTimeoutSeconds * 1000,
              logged,
            }),
          ),
        );
      } finally {
        const open = (this.inFlight.get(row.endpointId) ?? 1) - 1;
        if (open === 0) this.inFlight.delete(row.endpointId);
        else this.inFlight.set(row.endpointId, open);
      }
    } catch (error) {
      sent = {
        kind: 'error',
        errorKind: 'network',
        message: error instanceof Error ? error.message : String(error),
        latencyMs: 0,
      };
    }
    // The rate window counts this request until its answer is back (rate-limiter.ts).
    rate.done();
    if (span) {
      if (sent !== 'open' && sent.kind === 'response')
        span.setAttribute('http.response.status_code', sent.status);
      if (sent === 'open' || isFailure(sent)) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    if (sent === 'open') {
      results.push(
        this.result(
          row,
          row.status,
          0,
          new Date(now.getTime() + this.breakerSettings.resetMs),
          null,
          'circuit breaker open',
        ),
      );
      return 'circuit_open';
    }
    attempts.push({
      id: newId(),
      projectId: row.projectId,
      deliveryId: row.id,
      endpointId: row.endpointId,
      url: row.url,
      method: 'POST',
      requestHeaders: loggedHeaders,
      responseStatus: sent.kind === 'response' ? sent.status : null,
      responseHeaders: sent.kind === 'response' ? sent.headers : null,
      responseBody: sent.kind === 'response' ? sent.body : null,
      latencyMs: sent.latencyMs,
      error:
        sent.kind === 'error' ? sent.message : sent.status >= 300 ? `HTTP ${sent.status}` : null,
      errorKind: sent.kind === 'error' ? sent.errorKind : sent.status >= 300 ? 'http_status' : null,
      createdAt: now,
    });
    if (sent.kind === 'response' && sent.status >= 200 && sent.status < 300) {
      this.latency.observe({ outcome: 'success' }, sent.latencyMs / 1000);
      results.push(this.result(row, 'Success', 1, now, sent.latencyMs, null));
      return 'success';
    }
    this.latency.observe({ outcome: 'failure' }, sent.latencyMs / 1000);
    if (sent.kind === 'response' && sent.status === 410) {
      results.push(
        this.result(row, 'Failure', 1, now, sent.latencyMs, 'HTTP 410 Gone: endpoint disabled'),
      );
      return 'gone';
    }
    const attempt = row.attemptCount + 1;
    const retryAfter =
      sent.kind === 'response' ? parseRetryAfter(sent.headers['retry-after']) : undefined;
    const delay = nextRetryDelaySeconds(config.strategy, attempt, retryAfter);
    const error = sent.kind === 'error' ? sent.message : `HTTP ${sent.status}`;
    if (delay === undefined) {
      results.push(this.result(row, 'Failure', 1, now, sent.latencyMs, error));
      return 'failure';
    }
    results.push(
      this.result(row, 'Retry', 1, new Date(now.getTime() + delay * 1000), sent.latencyMs, error),
    );
    return 'retry';
  }

  /**
   * Sends with the endpoint's own authentication: an OAuth2 bearer token (fetched or cached; a 401
   * drops it so the next attempt fetches a new one) and an mTLS client certificate. A token or
   * credentials failure is the attempt's result, never an exception.
   */
  private async sendAuthenticated(
    row: DispatchRow,
    outgoing: {
      url: string;
      headers: Record<string, string>;
      body: string;
      timeoutMs: number;
      logged: Record<string, string>;
    },
  ): Promise<SendResult> {
    const oauth2 = oauth2SettingsOf(row.authentication);
    if (!oauth2 && row.mtlsClientCert === null) return this.sender.send(outgoing);
    let credentials: EndpointCredentials;
    try {
      credentials = decryptEndpointCredentials(this.cipher, row.endpointId, row.credentials);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        kind: 'error',
        errorKind: 'credentials',
        message: `endpoint credentials: ${message}`,
        latencyMs: 0,
      };
    }
    const started = performance.now();
    if (oauth2) {
      try {
        const token = await this.oauth2Tokens.token(
          row.endpointId,
          oauth2,
          credentials.oauth2_client_secret ?? '',
        );
        outgoing.headers['authorization'] = `Bearer ${token}`;
        outgoing.logged['authorization'] = MASKED_HEADER_VALUE;
      } catch (error) {
        return {
          kind: 'error',
          errorKind: error instanceof OAuth2TokenError ? error.errorKind : 'network',
          message: error instanceof Error ? error.message : String(error),
          latencyMs: Math.round(performance.now() - started),
        };
      }
    }
    const clientCertificate =
      row.mtlsClientCert !== null && credentials.mtls_client_key !== undefined
        ? { cert: row.mtlsClientCert, key: credentials.mtls_client_key }
        : undefined;
    const sent = await this.sender.send({
      url: outgoing.url,
      headers: outgoing.headers,
      body: outgoing.body,
      timeoutMs: outgoing.timeoutMs,
      ...(clientCertificate ? { clientCertificate } : {}),
    });
    if (oauth2 && sent.kind === 'response' && sent.status === 401)
      this.oauth2Tokens.invalidate(row.endpointId);
    return sent;
  }

  private result(
    row: DispatchRow,
    status: DeliveryResult['status'],
    attempted: number,
    nextAttemptAt: Date,
    latencyMs: number | null,
    lastError: string | null,
  ): DeliveryResult {
    return { id: row.id, status, attempted, nextAttemptAt, latencyMs, lastError };
  }
}

function oauth2SettingsOf(authentication: unknown): StoredOAuth2Settings | undefined {
  const stored = authentication as { type?: unknown; oauth2?: StoredOAuth2Settings } | null;
  return stored?.type === 'oauth2' ? stored.oauth2 : undefined;
}

function uniqueIds(messages: readonly DeliveryMessageV1[]): string[] {
  return [...new Set(messages.map((message) => message.delivery_id))];
}
