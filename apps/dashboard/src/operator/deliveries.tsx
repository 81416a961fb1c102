import { useState } from 'react';
import { apiClient, pageQuery, unwrap, type Cursor } from '../api/client';
import {
  DELIVERY_STATUSES,
  type Attempt,
  type Delivery,
  type Page,
  type StatusTotals,
} from '../api/types';
import { AttemptList, DeliverySummary } from '../components/attempts';
import { FilterForm, filtersFromUrl, toQuery, type FilterSpec } from '../components/filters';
import { ErrorNote, Link, Loading, Pager, StatusBadge, Time, useAction } from '../components/ui';
import { useLoad } from '../hooks';

const FILTERS: FilterSpec[] = [
  { name: 'status', label: 'Status', type: 'select', options: DELIVERY_STATUSES },
  { name: 'eventType', label: 'Event type' },
  { name: 'endpointId', label: 'Endpoint id' },
  { name: 'eventId', label: 'Event id' },
  { name: 'startDate', label: 'From', type: 'datetime-local' },
  { name: 'endDate', label: 'To', type: 'datetime-local' },
];

/** Refreshed every few seconds, so a new delivery and its outcome appear by themselves. */
const LIVE_MS = 2000;

/** Deliveries with their status totals, filters, paging, and batch retry of the filtered ones. */
export function DeliveriesPage({ token, projectId }: { token: string; projectId: string }) {
  const api = apiClient(token);
  const [filters, setFilters] = useState(() => filtersFromUrl(FILTERS.map((f) => f.name)));
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const key = `${projectId}:${JSON.stringify(filters)}`;
  const query = toQuery(filters);
  const deliveries = useLoad(
    () =>
      unwrap<Page<Delivery>>(
        api.GET('/api/v1/projects/{projectID}/eventdeliveries', {
          params: { path: { projectID: projectId }, query: { ...pageQuery(cursor), ...query } },
        }),
      ),
    `${key}:${JSON.stringify(cursor)}`,
    cursor ? undefined : LIVE_MS,
  );
  const totals = useLoad(
    () =>
      unwrap<StatusTotals>(
        api.GET('/api/v1/projects/{projectID}/eventdeliveries/statustotals', {
          params: { path: { projectID: projectId }, query },
        }),
      ),
    key,
    LIVE_MS,
  );
  const [retryCount, setRetryCount] = useState<number | null>(null);
  const [notice, setNotice] = useState('');
  const action = useAction();

  return (
    <>
      <h1>Deliveries</h1>
      <div className="totals" aria-label="Deliveries per status" aria-live="polite">
        {totals.data
          ? Object.entries(totals.data).map(([status, count]) => (
              <span key={status}>
                <StatusBadge status={status} /> {count}
              </span>
            ))
          : null}
      </div>
      <FilterForm
        specs={FILTERS}
        initial={filters}
        onApply={(values) => {
          setCursor(null);
          setRetryCount(null);
          setFilters(values);
        }}
      />
      <div className="toolbar">
        {retryCount === null ? (
          <button
            type="button"
            className="ghost"
            disabled={action.busy}
            onClick={() =>
              void action.run(async () => {
                const { num } = await unwrap<{ num: number }>(
                  api.GET('/api/v1/projects/{projectID}/eventdeliveries/countbatchretryevents', {
                    params: { path: { projectID: projectId }, query },
                  }),
                );
                setRetryCount(num);
              })
            }
          >
            Batch retry…
          </button>
        ) : (
          <>
            <span>Retry {retryCount} failed or discarded deliveries matching the filters?</span>
            <button
              type="button"
              disabled={action.busy || retryCount === 0}
              onClick={() =>
                void action.run(async () => {
                  const result = await unwrap<{ successes: number; failures: number }>(
                    api.POST('/api/v1/projects/{projectID}/eventdeliveries/batchretry', {
                      params: { path: { projectID: projectId }, query },
                    }),
                  );
                  setNotice(`${result.successes} sent again, ${result.failures} failed.`);
                  setRetryCount(null);
                  deliveries.reload();
                })
              }
            >
              Retry them
            </button>
            <button
              type="button"
              className="ghost"
              onClick={() => {
                setRetryCount(null);
              }}
            >
              Cancel
            </button>
          </>
        )}
      </div>
      {notice ? <p role="status">{notice}</p> : null}
      <ErrorNote error={deliveries.error ?? action.error} />
      {deliveries.data ? (
        <>
          <DeliveryTable
            deliveries={deliveries.data.content}
            linkTo={(d) => `/p/${projectId}/deliveries/${d.uid}`}
          />
          <Pager
            pagination={deliveries.data.pagination}
            onPage={(direction, next) => {
              setCursor({ direction, cursor: next });
            }}
          />
        </>
      ) : (
        <Loading what="deliveries" />
      )}
    </>
  );
}

export function DeliveryTable(props: {
  deliveries: Delivery[];
  linkTo: (delivery: Delivery) => string;
}) {
  if (props.deliveries.length === 0) return <p className="muted">No deliveries match.</p>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Delivery</th>
            <th scope="col">Status</th>
            <th scope="col">Event type</th>
            <th scope="col">Endpoint</th>
            <th scope="col">Attempts</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {props.deliveries.map((delivery) => (
            <tr key={delivery.uid} data-testid="delivery-row">
              <td>
                <Link to={props.linkTo(delivery)} className="mono">
                  {delivery.uid}
                </Link>
              </td>
              <td>
                <StatusBadge status={delivery.status} />
              </td>
              <td>{delivery.event_type}</td>
              <td className="mono">{delivery.endpoint_id}</td>
              <td>{delivery.metadata.num_trials}</td>
              <td>
                <Time iso={delivery.created_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One delivery: its attempts (request and response of each), resend and force resend. */
export function DeliveryPage(props: { token: string; projectId: string; deliveryId: string }) {
  const api = apiClient(props.token);
  const path = { params: { path: { projectID: props.projectId, deliveryID: props.deliveryId } } };
  const delivery = useLoad(
    () =>
      unwrap<Delivery>(api.GET('/api/v1/projects/{projectID}/eventdeliveries/{deliveryID}', path)),
    props.deliveryId,
    LIVE_MS,
  );
  const attempts = useLoad(
    () =>
      unwrap<Attempt[]>(
        api.GET('/api/v1/projects/{projectID}/eventdeliveries/{deliveryID}/deliveryattempts', path),
      ),
    props.deliveryId,
    LIVE_MS,
  );
  const action = useAction();
  const [notice, setNotice] = useState('');
  return (
    <>
      <p>
        <Link to={`/p/${props.projectId}/deliveries`}>← Deliveries</Link>
      </p>
      <h1>Delivery</h1>
      <p className="mono">{props.deliveryId}</p>
      <ErrorNote error={delivery.error ?? action.error} />
      {delivery.data ? (
        <DeliverySummary delivery={delivery.data} />
      ) : (
        <Loading what="the delivery" />
      )}
      <div className="toolbar">
        <button
          type="button"
          disabled={action.busy || delivery.data?.status === 'Success'}
          onClick={() =>
            void action.run(async () => {
              await unwrap(
                api.PUT('/api/v1/projects/{projectID}/eventdeliveries/{deliveryID}/resend', path),
              );
              setNotice('Sent again.');
              delivery.reload();
            })
          }
        >
          Resend
        </button>
        <button
          type="button"
          className="ghost"
          disabled={action.busy}
          onClick={() =>
            void action.run(async () => {
              await unwrap(
                api.POST('/api/v1/projects/{projectID}/eventdeliveries/forceresend', {
                  params: { path: { projectID: props.projectId } },
                  body: { ids: [props.deliveryId] },
                }),
              );
              setNotice('Sent again (forced).');
              delivery.reload();
            })
          }
        >
          Force resend
        </button>
        {delivery.data ? (
          <Link
            to={`/p/${props.projectId}/events?eventType=${encodeURIComponent(delivery.data.event_type)}`}
          >
            Events of this type
          </Link>
        ) : null}
      </div>
      {notice ? <p role="status">{notice}</p> : null}
      <h2>Attempts</h2>
      <ErrorNote error={attempts.error} />
      {attempts.data ? <AttemptList attempts={attempts.data} /> : <Loading what="attempts" />}
      {delivery.data ? (
        <p className="muted">
          Created <Time iso={delivery.data.created_at} />
        </p>
      ) : null}
    </>
  );
}
