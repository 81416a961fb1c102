import { useState } from 'react';
import { apiClient, pageQuery, unwrap, type Cursor } from '../api/client';
import type { Endpoint, Page, Subscription } from '../api/types';
import {
  Dialog,
  ErrorNote,
  Field,
  Loading,
  Pager,
  StatusBadge,
  parseJson,
  useAction,
} from '../components/ui';
import { useLoad } from '../hooks';

/** Subscriptions: which events each endpoint gets, with the filter editor and its tester. */
export function SubscriptionsPage({ token, projectId }: { token: string; projectId: string }) {
  const api = apiClient(token);
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const subscriptions = useLoad(
    () =>
      unwrap<Page<Subscription>>(
        api.GET('/api/v1/projects/{projectID}/subscriptions', {
          params: { path: { projectID: projectId }, query: pageQuery(cursor) },
        }),
      ),
    `${projectId}:${JSON.stringify(cursor)}`,
  );
  const endpoints = useLoad(
    () =>
      unwrap<Page<Endpoint>>(
        api.GET('/api/v1/projects/{projectID}/endpoints', {
          params: { path: { projectID: projectId }, query: { perPage: 100 } },
        }),
      ),
    projectId,
  );
  const [editing, setEditing] = useState<Subscription | 'new' | null>(null);
  const action = useAction();

  return (
    <>
      <h1>Subscriptions</h1>
      <div className="toolbar">
        <button
          type="button"
          onClick={() => {
            setEditing('new');
          }}
        >
          New subscription
        </button>
      </div>
      <ErrorNote error={subscriptions.error ?? action.error} />
      {subscriptions.data ? (
        <>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Event types</th>
                  <th scope="col">Status</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {subscriptions.data.content.map((subscription) => (
                  <tr key={subscription.uid}>
                    <td>{subscription.name}</td>
                    <td className="mono">
                      {endpoints.data?.content.find((e) => e.uid === subscription.endpoint_id)
                        ?.name ?? subscription.endpoint_id}
                    </td>
                    <td>{subscription.filter_config.event_types.join(', ')}</td>
                    <td>
                      <StatusBadge status={subscription.status} />
                    </td>
                    <td>
                      <div className="actions">
                        <button
                          type="button"
                          className="ghost small"
                          onClick={() => {
                            setEditing(subscription);
                          }}
                        >
                          Edit filter
                        </button>
                        <button
                          type="button"
                          className="ghost small"
                          onClick={() =>
                            void action.run(async () => {
                              await unwrap(
                                api.PUT(
                                  '/api/v1/projects/{projectID}/subscriptions/{subscriptionID}/toggle_status',
                                  {
                                    params: {
                                      path: {
                                        projectID: projectId,
                                        subscriptionID: subscription.uid,
                                      },
                                    },
                                  },
                                ),
                              );
                              subscriptions.reload();
                            })
                          }
                        >
                          {subscription.status === 'active' ? 'Deactivate' : 'Activate'}
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            pagination={subscriptions.data.pagination}
            onPage={(direction, next) => {
              setCursor({ direction, cursor: next });
            }}
          />
        </>
      ) : (
        <Loading what="subscriptions" />
      )}
      {editing ? (
        <SubscriptionDialog
          token={token}
          projectId={projectId}
          subscription={editing === 'new' ? undefined : editing}
          endpoints={endpoints.data?.content ?? []}
          onClose={() => {
            setEditing(null);
          }}
          onSaved={() => {
            setEditing(null);
            subscriptions.reload();
          }}
        />
      ) : null}
    </>
  );
}

function SubscriptionDialog(props: {
  token: string;
  projectId: string;
  subscription: Subscription | undefined;
  endpoints: Endpoint[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const api = apiClient(props.token);
  const existing = props.subscription;
  const [name, setName] = useState(existing?.name ?? '');
  const [endpointId, setEndpointId] = useState(
    existing?.endpoint_id ?? props.endpoints[0]?.uid ?? '',
  );
  const [types, setTypes] = useState((existing?.filter_config.event_types ?? ['*']).join(', '));
  const [body, setBody] = useState(
    JSON.stringify(existing?.filter_config.filter.body ?? {}, null, 2),
  );
  const [headers, setHeaders] = useState(
    JSON.stringify(existing?.filter_config.filter.headers ?? {}, null, 2),
  );
  const [sampleBody, setSampleBody] = useState('{\n  "amount": 100\n}');
  const [sampleHeaders, setSampleHeaders] = useState('{}');
  const [verdict, setVerdict] = useState<boolean | null>(null);
  const save = useAction();
  const test = useAction();

  const filter = () => ({
    event_types: types
      .split(',')
      .map((type) => type.trim())
      .filter(Boolean),
    filter: {
      body: (parseJson(body, 'body filter') ?? {}) as Record<string, unknown>,
      headers: (parseJson(headers, 'headers filter') ?? {}) as Record<string, unknown>,
    },
  });

  return (
    <Dialog
      title={existing ? `Filter of ${existing.name}` : 'New subscription'}
      onClose={props.onClose}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save.run(async () => {
            const filter_config = filter();
            if (existing) {
              await unwrap(
                api.PUT('/api/v1/projects/{projectID}/subscriptions/{subscriptionID}', {
                  params: { path: { projectID: props.projectId, subscriptionID: existing.uid } },
                  body: { name, filter_config } as never,
                }),
              );
            } else {
              await unwrap(
                api.POST('/api/v1/projects/{projectID}/subscriptions', {
                  params: { path: { projectID: props.projectId } },
                  body: { name, endpoint_id: endpointId, filter_config } as never,
                }),
              );
            }
            props.onSaved();
          });
        }}
      >
        <Field label="Name">
          {(id) => (
            <input
              id={id}
              required
              value={name}
              onChange={(event) => {
                setName(event.target.value);
              }}
            />
          )}
        </Field>
        {existing ? null : (
          <Field label="Endpoint">
            {(id) => (
              <select
                id={id}
                value={endpointId}
                onChange={(event) => {
                  setEndpointId(event.target.value);
                }}
              >
                {props.endpoints.map((endpoint) => (
                  <option key={endpoint.uid} value={endpoint.uid}>
                    {endpoint.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label="Event types" hint="Comma-separated; * for all.">
          {(id) => (
            <input
              id={id}
              value={types}
              onChange={(event) => {
                setTypes(event.target.value);
              }}
            />
          )}
        </Field>
        <div className="grid-2">
          <Field label="Body filter (JSON)" hint="Convoy's filter language: $eq, $in, $gt, $or…">
            {(id) => (
              <textarea
                id={id}
                value={body}
                onChange={(event) => {
                  setBody(event.target.value);
                }}
              />
            )}
          </Field>
          <Field label="Headers filter (JSON)">
            {(id) => (
              <textarea
                id={id}
                value={headers}
                onChange={(event) => {
                  setHeaders(event.target.value);
                }}
              />
            )}
          </Field>
        </div>
        <ErrorNote error={save.error} />
        <button type="submit" disabled={save.busy}>
          Save
        </button>
      </form>
      <h2>Try the filter</h2>
      <div className="grid-2">
        <Field label="Sample body (JSON)">
          {(id) => (
            <textarea
              id={id}
              value={sampleBody}
              onChange={(event) => {
                setSampleBody(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Sample headers (JSON)">
          {(id) => (
            <textarea
              id={id}
              value={sampleHeaders}
              onChange={(event) => {
                setSampleHeaders(event.target.value);
              }}
            />
          )}
        </Field>
      </div>
      <button
        type="button"
        className="ghost"
        disabled={test.busy}
        onClick={() =>
          void test.run(async () => {
            const { filter: schema } = filter();
            const matched = await unwrap<boolean>(
              api.POST('/api/v1/projects/{projectID}/subscriptions/test_filter', {
                params: { path: { projectID: props.projectId } },
                body: {
                  // Convoy's spelling is `header`; both are sent so either reading finds it.
                  request: {
                    body: parseJson(sampleBody, 'sample body') ?? {},
                    header: parseJson(sampleHeaders, 'sample headers') ?? {},
                    headers: parseJson(sampleHeaders, 'sample headers') ?? {},
                  },
                  schema: { body: schema.body, header: schema.headers, headers: schema.headers },
                } as never,
              }),
            );
            setVerdict(matched);
          })
        }
      >
        Test filter
      </button>
      <ErrorNote error={test.error} />
      {verdict === null ? null : (
        <p role="status" data-testid="filter-verdict">
          <StatusBadge status={String(verdict)} /> The sample{' '}
          {verdict ? 'matches the filter' : 'does not match the filter'}.
        </p>
      )}
    </Dialog>
  );
}
