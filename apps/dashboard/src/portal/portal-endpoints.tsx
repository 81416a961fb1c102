import { useState } from 'react';
import { apiClient, pageQuery, unwrap, type Cursor } from '../api/client';
import type { Page, PortalEndpoint } from '../api/types';
import {
  ErrorNote,
  Loading,
  Masked,
  Pager,
  SecretOnce,
  StatusBadge,
  useAction,
} from '../components/ui';
import { useLoad } from '../hooks';
import { EndpointForm, RotateDialog, newestSecret, shownSecret } from '../operator/endpoints';

type Editing =
  | { mode: 'create' }
  | { mode: 'edit'; endpoint: PortalEndpoint }
  | { mode: 'rotate'; endpoint: PortalEndpoint };

/** The customer's endpoints; adding, editing, pausing and rotating need the link's permission. */
export function PortalEndpointsPage({ token, canManage }: { token: string; canManage: boolean }) {
  const api = apiClient(token);
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const endpoints = useLoad(
    () =>
      unwrap<Page<PortalEndpoint>>(
        api.GET('/portal-api/endpoints', { params: { query: pageQuery(cursor) } }),
      ),
    JSON.stringify(cursor),
  );
  const [editing, setEditing] = useState<Editing | null>(null);
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  const action = useAction();
  const path = (id: string) => ({ params: { path: { endpointID: id } } });

  return (
    <>
      <h1>Your endpoints</h1>
      {canManage ? (
        <div className="toolbar">
          <button
            type="button"
            onClick={() => {
              setEditing({ mode: 'create' });
            }}
          >
            Add endpoint
          </button>
        </div>
      ) : null}
      {secret ? <SecretOnce label={secret.label} value={secret.value} /> : null}
      <ErrorNote error={endpoints.error ?? action.error} />
      {endpoints.data ? (
        <>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">URL</th>
                  <th scope="col">Status</th>
                  <th scope="col">Signing secret</th>
                  {canManage ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {endpoints.data.content.map((endpoint) => (
                  <tr key={endpoint.uid} data-testid="endpoint-row">
                    <td>{endpoint.name}</td>
                    <td>
                      <code>{endpoint.url}</code>
                    </td>
                    <td>
                      <StatusBadge status={endpoint.status} />
                      {endpoint.disabled_reason ? (
                        <div className="muted">{endpoint.disabled_reason}</div>
                      ) : null}
                    </td>
                    <td>
                      <Masked value={newestSecret(endpoint)} />
                    </td>
                    {canManage ? (
                      <td>
                        <div className="actions">
                          <button
                            type="button"
                            className="ghost small"
                            onClick={() => {
                              setEditing({ mode: 'edit', endpoint });
                            }}
                          >
                            Edit
                          </button>
                          <button
                            type="button"
                            className="ghost small"
                            disabled={action.busy || endpoint.status === 'inactive'}
                            onClick={() =>
                              void action.run(async () => {
                                await unwrap(
                                  api.PUT(
                                    '/portal-api/endpoints/{endpointID}/pause',
                                    path(endpoint.uid),
                                  ),
                                );
                                endpoints.reload();
                              })
                            }
                          >
                            {endpoint.status === 'paused' ? 'Unpause' : 'Pause'}
                          </button>
                          <button
                            type="button"
                            className="ghost small"
                            onClick={() => {
                              setEditing({ mode: 'rotate', endpoint });
                            }}
                          >
                            Rotate secret
                          </button>
                        </div>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {endpoints.data.content.length === 0 ? <p className="muted">No endpoints yet.</p> : null}
          <Pager
            pagination={endpoints.data.pagination}
            onPage={(direction, next) => {
              setCursor({ direction, cursor: next });
            }}
          />
        </>
      ) : (
        <Loading what="endpoints" />
      )}
      {editing?.mode === 'rotate' ? (
        <RotateDialog
          endpoint={editing.endpoint}
          onClose={() => {
            setEditing(null);
          }}
          rotate={async (expiration) => {
            const rotated = await unwrap<PortalEndpoint>(
              api.PUT('/portal-api/endpoints/{endpointID}/expire_secret', {
                ...path(editing.endpoint.uid),
                body: { expiration },
              }),
            );
            setSecret(shownSecret(rotated));
            setEditing(null);
            endpoints.reload();
          }}
        />
      ) : null}
      {editing && editing.mode !== 'rotate' ? (
        <EndpointForm
          endpoint={editing.mode === 'edit' ? editing.endpoint : undefined}
          withOwner={false}
          onClose={() => {
            setEditing(null);
          }}
          save={async (body) => {
            if (editing.mode === 'edit') {
              await unwrap(
                api.PUT('/portal-api/endpoints/{endpointID}', {
                  ...path(editing.endpoint.uid),
                  body: body as never,
                }),
              );
            } else {
              const created = await unwrap<PortalEndpoint>(
                api.POST('/portal-api/endpoints', { body: body as never }),
              );
              setSecret(shownSecret(created));
            }
            setEditing(null);
            endpoints.reload();
          }}
        />
      ) : null}
    </>
  );
}
