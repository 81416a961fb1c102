import { apiClient, unwrap } from '../api/client';
import type { Overview } from '../api/types';
import { ErrorNote, Link, Loading, StatusBadge } from '../components/ui';
import { useLoad } from '../hooks';

const percent = (ratio: number | null): string =>
  ratio === null ? '—' : `${(ratio * 100).toFixed(ratio === 1 ? 0 : 1)}%`;

/** The last 24 hours at a glance: success ratio, latency percentiles, failing endpoints. */
export function OverviewPage({ token, projectId }: { token: string; projectId: string }) {
  const overview = useLoad(
    () =>
      unwrap<Overview>(
        apiClient(token).GET('/api/v1/projects/{projectID}/overview', {
          params: { path: { projectID: projectId } },
        }),
      ),
    projectId,
    10_000,
  );
  const data = overview.data;
  return (
    <>
      <h1>Overview</h1>
      <p className="muted">Deliveries made in the last 24 hours.</p>
      <ErrorNote error={overview.error} />
      {data ? (
        <>
          <section className="cards" aria-label="Delivery health">
            <div className="card">
              <div className="muted">Success ratio</div>
              <div className="value" data-testid="success-ratio">
                {percent(data.success_ratio)}
              </div>
            </div>
            <div className="card">
              <div className="muted">Latency p50</div>
              <div className="value">{data.latency_ms ? `${data.latency_ms.p50} ms` : '—'}</div>
            </div>
            <div className="card">
              <div className="muted">Latency p99</div>
              <div className="value">{data.latency_ms ? `${data.latency_ms.p99} ms` : '—'}</div>
            </div>
            <div className="card">
              <div className="muted">Deliveries</div>
              <div className="value">
                {Object.values(data.deliveries).reduce((sum, count) => sum + count, 0)}
              </div>
            </div>
          </section>
          <div className="totals" aria-label="Deliveries per status">
            {Object.entries(data.deliveries).map(([status, count]) => (
              <span key={status}>
                <StatusBadge status={status} /> {count}
              </span>
            ))}
          </div>
          <h2>Failing endpoints</h2>
          {data.failing_endpoints.length === 0 ? (
            <p className="muted">None: every endpoint delivered.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Endpoint</th>
                    <th scope="col">Status</th>
                    <th scope="col">Failing / total</th>
                    <th scope="col">Disabled because</th>
                  </tr>
                </thead>
                <tbody>
                  {data.failing_endpoints.map((endpoint) => (
                    <tr key={endpoint.uid}>
                      <td>
                        <Link to={`/p/${projectId}/deliveries?endpointId=${endpoint.uid}`}>
                          {endpoint.name}
                        </Link>
                        <div className="mono muted">{endpoint.url}</div>
                      </td>
                      <td>
                        <StatusBadge status={endpoint.status} />
                      </td>
                      <td>
                        {endpoint.failing} / {endpoint.total}
                      </td>
                      <td>{endpoint.disabled_reason || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : (
        <Loading what="the overview" />
      )}
    </>
  );
}
