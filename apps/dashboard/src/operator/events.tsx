import { useState } from 'react';
import { apiClient, pageQuery, unwrap, type Cursor } from '../api/client';
import type { Endpoint, EventRecord, Page } from '../api/types';
import { FilterForm, filtersFromUrl, toQuery, type FilterSpec } from '../components/filters';
import {
  Dialog,
  ErrorNote,
  Field,
  Json,
  Link,
  Loading,
  Pager,
  Time,
  parseJson,
  useAction,
} from '../components/ui';
import { useLoad } from '../hooks';

const FILTERS: FilterSpec[] = [
  { name: 'eventType', label: 'Event type' },
  { name: 'endpointId', label: 'Endpoint id' },
  { name: 'sourceId', label: 'Source id' },
  { name: 'idempotencyKey', label: 'Idempotency key' },
  { name: 'brokerMessageId', label: 'Broker message id' },
  { name: 'startDate', label: 'From', type: 'datetime-local' },
  { name: 'endDate', label: 'To', type: 'datetime-local' },
];

/** The event log: the API's filters and cursor paging (one page at a time, never the whole log). */
export function EventsPage({ token, projectId }: { token: string; projectId: string }) {
  const api = apiClient(token);
  const [filters, setFilters] = useState(() => filtersFromUrl(FILTERS.map((f) => f.name)));
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const events = useLoad(
    () =>
      unwrap<Page<EventRecord>>(
        api.GET('/api/v1/projects/{projectID}/events', {
          params: {
            path: { projectID: projectId },
            query: { ...pageQuery(cursor), ...toQuery(filters) },
          },
        }),
      ),
    `${projectId}:${JSON.stringify(cursor)}:${JSON.stringify(filters)}`,
    // The newest page follows the log (events are recorded a moment after they are accepted).
    cursor ? undefined : 3000,
  );
  const [open, setOpen] = useState<EventRecord | null>(null);
  const [sending, setSending] = useState(false);

  return (
    <>
      <h1>Events</h1>
      <div className="toolbar">
        <button
          type="button"
          onClick={() => {
            setSending(true);
          }}
        >
          Send an event
        </button>
      </div>
      <FilterForm
        specs={FILTERS}
        initial={filters}
        onApply={(values) => {
          setCursor(null);
          setFilters(values);
        }}
      />
      <ErrorNote error={events.error} />
      {events.data ? (
        <>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Type</th>
                  <th scope="col">Accepted</th>
                  <th scope="col">Deliveries</th>
                </tr>
              </thead>
              <tbody>
                {events.data.content.map((event) => (
                  <tr key={event.uid} data-testid="event-row">
                    <td>
                      <button
                        type="button"
                        className="ghost small mono"
                        onClick={() => {
                          setOpen(event);
                        }}
                      >
                        {event.uid}
                      </button>
                    </td>
                    <td>{event.event_type}</td>
                    <td>
                      <Time iso={event.accepted_at} />
                    </td>
                    <td>
                      <Link to={`/p/${projectId}/deliveries?eventId=${event.uid}`}>Deliveries</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {events.data.content.length === 0 ? <p className="muted">No events match.</p> : null}
          <Pager
            pagination={events.data.pagination}
            onPage={(direction, next) => {
              setCursor({ direction, cursor: next });
            }}
          />
        </>
      ) : (
        <Loading what="events" />
      )}
      {open ? (
        <Dialog
          title={`Event ${open.event_type}`}
          onClose={() => {
            setOpen(null);
          }}
        >
          <p className="mono">{open.uid}</p>
          <h3>Data</h3>
          <Json value={open.data} label="Event data" />
          <h3>Headers</h3>
          <Json value={open.headers ?? {}} label="Event headers" />
          <p>
            Idempotency key: {open.idempotency_key || '—'} · Source: {open.source_id || '—'} ·
            Broker message: {open.broker_message_id || '—'}
          </p>
        </Dialog>
      ) : null}
      {sending ? (
        <SendEventDialog
          token={token}
          projectId={projectId}
          onClose={() => {
            setSending(false);
          }}
          onSent={() => {
            setSending(false);
            events.reload();
          }}
        />
      ) : null}
    </>
  );
}

/** Sends one event to one endpoint (POST /events), as a producer would. */
function SendEventDialog(props: {
  token: string;
  projectId: string;
  onClose: () => void;
  onSent: () => void;
}) {
  const api = apiClient(props.token);
  const endpoints = useLoad(
    () =>
      unwrap<Page<Endpoint>>(
        api.GET('/api/v1/projects/{projectID}/endpoints', {
          params: { path: { projectID: props.projectId }, query: { perPage: 100 } },
        }),
      ),
    props.projectId,
  );
  const [endpointId, setEndpointId] = useState('');
  const [eventType, setEventType] = useState('invoice.paid');
  const [data, setData] = useState('{\n  "invoice": "inv_1001",\n  "amount": 4200\n}');
  const action = useAction();
  const chosen = endpointId || endpoints.data?.content[0]?.uid || '';
  return (
    <Dialog title="Send an event" onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(async () => {
            await unwrap(
              api.POST('/api/v1/projects/{projectID}/events', {
                params: { path: { projectID: props.projectId } },
                body: {
                  endpoint_id: chosen,
                  event_type: eventType,
                  data: parseJson(data, 'data') ?? {},
                } as never,
              }),
            );
            props.onSent();
          });
        }}
      >
        <Field label="Endpoint">
          {(id) => (
            <select
              id={id}
              name="endpoint"
              value={chosen}
              onChange={(event) => {
                setEndpointId(event.target.value);
              }}
            >
              {endpoints.data?.content.map((endpoint) => (
                <option key={endpoint.uid} value={endpoint.uid}>
                  {endpoint.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Event type">
          {(id) => (
            <input
              id={id}
              name="event_type"
              required
              value={eventType}
              onChange={(event) => {
                setEventType(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Data (JSON)">
          {(id) => (
            <textarea
              id={id}
              name="data"
              value={data}
              onChange={(event) => {
                setData(event.target.value);
              }}
            />
          )}
        </Field>
        <ErrorNote error={action.error ?? endpoints.error} />
        <button type="submit" disabled={action.busy || !chosen}>
          Send
        </button>
      </form>
    </Dialog>
  );
}
