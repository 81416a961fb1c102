import type { Attempt, Delivery } from '../api/types';
import { Json, StatusBadge, Time } from './ui';

/** A delivery's facts: status, tries, latency, next try, last error. */
export function DeliverySummary({ delivery }: { delivery: Delivery }) {
  return (
    <dl className="grid-2 panel">
      <div>
        <dt className="muted">Status</dt>
        <dd data-testid="delivery-status">
          <StatusBadge status={delivery.status} />
        </dd>
      </div>
      <div>
        <dt className="muted">Event type</dt>
        <dd>{delivery.event_type}</dd>
      </div>
      <div>
        <dt className="muted">Attempts</dt>
        <dd>{delivery.metadata.num_trials}</dd>
      </div>
      <div>
        <dt className="muted">Latency</dt>
        <dd>{delivery.latency_ms === null ? '—' : `${delivery.latency_ms} ms`}</dd>
      </div>
      <div>
        <dt className="muted">Endpoint</dt>
        <dd className="mono">{delivery.endpoint_id}</dd>
      </div>
      <div>
        <dt className="muted">Next attempt</dt>
        <dd>
          <Time iso={delivery.metadata.next_send_time} />
        </dd>
      </div>
      {delivery.description ? (
        <div>
          <dt className="muted">Last error</dt>
          <dd>{delivery.description}</dd>
        </div>
      ) : null}
    </dl>
  );
}

/** Each attempt: what was sent (request headers) and what came back (status, headers, body, latency). */
export function AttemptList({ attempts }: { attempts: Attempt[] }) {
  if (attempts.length === 0) return <p className="muted">No attempt yet.</p>;
  return (
    <div>
      {attempts.map((attempt, index) => (
        <details key={attempt.uid} open={index === attempts.length - 1} data-testid="attempt">
          <summary>
            <StatusBadge status={attempt.status ? 'Success' : 'Failure'} />{' '}
            {attempt.http_status
              ? `HTTP ${attempt.http_status}`
              : attempt.error_kind || 'no answer'}{' '}
            · {attempt.latency_ms} ms · <Time iso={attempt.created_at} />
          </summary>
          <p className="mono">
            {attempt.method} {attempt.url}
          </p>
          {attempt.error ? <p className="error">{attempt.error}</p> : null}
          <h3>Request headers</h3>
          <Json value={attempt.request_http_header} label="Request headers" />
          <h3>Response headers</h3>
          <Json value={attempt.response_http_header ?? {}} label="Response headers" />
          <h3>Response body</h3>
          <Json value={attempt.response_data || '(empty)'} label="Response body" />
        </details>
      ))}
    </div>
  );
}
