import { useState } from 'react';
import { apiClient, pageQuery, unwrap, type Cursor } from '../api/client';
import { DELIVERY_STATUSES, type Attempt, type Delivery, type Page } from '../api/types';
import { AttemptList, DeliverySummary } from '../components/attempts';
import { FilterForm, toQuery, type FilterSpec } from '../components/filters';
import { ErrorNote, Link, Loading, Pager, useAction } from '../components/ui';
import { useLoad } from '../hooks';
import { DeliveryTable } from '../operator/deliveries';

const FILTERS: FilterSpec[] = [
  { name: 'status', label: 'Status', type: 'select', options: DELIVERY_STATUSES },
  { name: 'eventType', label: 'Event type' },
];
const LIVE_MS = 2000;

/** The deliveries to the customer's endpoints. */
export function PortalDeliveriesPage({ token }: { token: string }) {
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const deliveries = useLoad(
    () =>
      unwrap<Page<Delivery>>(
        apiClient(token).GET('/portal-api/eventdeliveries', {
          params: { query: { ...pageQuery(cursor), ...toQuery(filters) } },
        }),
      ),
    `${JSON.stringify(cursor)}:${JSON.stringify(filters)}`,
    cursor ? undefined : LIVE_MS,
  );
  return (
    <>
      <h1>Deliveries</h1>
      <FilterForm
        specs={FILTERS}
        initial={filters}
        onApply={(values) => {
          setCursor(null);
          setFilters(values);
        }}
      />
      <ErrorNote error={deliveries.error} />
      {deliveries.data ? (
        <>
          <DeliveryTable
            deliveries={deliveries.data.content}
            linkTo={(d) => `/portal/deliveries/${d.uid}`}
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

export function PortalDeliveryPage({ token, deliveryId }: { token: string; deliveryId: string }) {
  const api = apiClient(token);
  const path = { params: { path: { deliveryID: deliveryId } } };
  const delivery = useLoad(
    () => unwrap<Delivery>(api.GET('/portal-api/eventdeliveries/{deliveryID}', path)),
    deliveryId,
    LIVE_MS,
  );
  const attempts = useLoad(
    () =>
      unwrap<Attempt[]>(api.GET('/portal-api/eventdeliveries/{deliveryID}/deliveryattempts', path)),
    deliveryId,
    LIVE_MS,
  );
  const action = useAction();
  return (
    <>
      <p>
        <Link to="/portal/deliveries">← Deliveries</Link>
      </p>
      <h1>Delivery</h1>
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
              await unwrap(api.PUT('/portal-api/eventdeliveries/{deliveryID}/resend', path));
              delivery.reload();
            })
          }
        >
          Resend
        </button>
      </div>
      <h2>Attempts</h2>
      {attempts.data ? <AttemptList attempts={attempts.data} /> : <Loading what="attempts" />}
    </>
  );
}
