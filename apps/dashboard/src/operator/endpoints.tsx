import { useState } from 'react';
import { apiClient, pageQuery, unwrap, type Cursor } from '../api/client';
import type { Endpoint, Page } from '../api/types';
import {
  Dialog,
  ErrorNote,
  Field,
  Loading,
  Pager,
  SecretOnce,
  StatusBadge,
  useAction,
} from '../components/ui';
import { useLoad } from '../hooks';

type Editing =
  | { mode: 'create' }
  | { mode: 'edit'; endpoint: Endpoint }
  | { mode: 'rotate'; endpoint: Endpoint };

/** The newest live secret (the one that signs). */
export function newestSecret(endpoint: {
  secrets: { value: string; expires_at?: string | null }[];
}): string {
  return endpoint.secrets.at(-1)?.value ?? '';
}

/**
 * What to show once after a create or rotation. An ed25519 endpoint answers its public key, which
 * the receiver verifies with; calling it a secret would suggest it must be hidden.
 */
export function shownSecret(endpoint: {
  name: string;
  signature_algorithm: string;
  secrets: { value: string; expires_at?: string | null }[];
}): { label: string; value: string } {
  const what =
    endpoint.signature_algorithm === 'ed25519' ? 'Public key (ed25519)' : 'Signing secret';
  return { label: `${what} of ${endpoint.name}`, value: newestSecret(endpoint) };
}

/**
 * Endpoints: create, edit, pause/activate, rotate the secret with an overlap; a new secret is shown
 * once. The breaker's state is the endpoint's status and, when it disabled it, why.
 */
export function EndpointsPage({ token, projectId }: { token: string; projectId: string }) {
  const api = apiClient(token);
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const endpoints = useLoad(
    () =>
      unwrap<Page<Endpoint>>(
        api.GET('/api/v1/projects/{projectID}/endpoints', {
          params: {
            path: { projectID: projectId },
            query: pageQuery(cursor),
          },
        }),
      ),
    `${projectId}:${JSON.stringify(cursor)}`,
  );
  const [editing, setEditing] = useState<Editing | null>(null);
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  const action = useAction();
  const path = (id: string) => ({ params: { path: { projectID: projectId, endpointID: id } } });

  const toggle = (endpoint: Endpoint): Promise<void> =>
    action.run(async () => {
      if (endpoint.status === 'inactive')
        await unwrap(
          api.POST(
            '/api/v1/projects/{projectID}/endpoints/{endpointID}/activate',
            path(endpoint.uid),
          ),
        );
      else
        await unwrap(
          api.PUT('/api/v1/projects/{projectID}/endpoints/{endpointID}/pause', path(endpoint.uid)),
        );
      endpoints.reload();
    });

  return (
    <>
      <h1>Endpoints</h1>
      <div className="toolbar">
        <button
          type="button"
          onClick={() => {
            setEditing({ mode: 'create' });
          }}
        >
          New endpoint
        </button>
      </div>
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
                  <th scope="col">Owner</th>
                  <th scope="col">Status</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {endpoints.data.content.map((endpoint) => (
                  <tr key={endpoint.uid} data-testid="endpoint-row">
                    <td>
                      {endpoint.name}
                      <div className="mono muted">{endpoint.uid}</div>
                    </td>
                    <td>
                      <code>{endpoint.url}</code>
                    </td>
                    <td>{endpoint.owner_id || '—'}</td>
                    <td>
                      <StatusBadge status={endpoint.status} />
                      {endpoint.disabled_reason ? (
                        <div className="muted">Breaker: {endpoint.disabled_reason}</div>
                      ) : null}
                    </td>
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
                          disabled={action.busy}
                          onClick={() => void toggle(endpoint)}
                        >
                          {endpoint.status === 'active' ? 'Pause' : 'Activate'}
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
            const rotated = await unwrap<Endpoint>(
              api.PUT('/api/v1/projects/{projectID}/endpoints/{endpointID}/expire_secret', {
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
          withOwner
          onClose={() => {
            setEditing(null);
          }}
          save={async (body) => {
            if (editing.mode === 'edit') {
              await unwrap(
                api.PUT('/api/v1/projects/{projectID}/endpoints/{endpointID}', {
                  ...path(editing.endpoint.uid),
                  body: body as never,
                }),
              );
            } else {
              const created = await unwrap<Endpoint>(
                api.POST('/api/v1/projects/{projectID}/endpoints', {
                  params: { path: { projectID: projectId } },
                  body: body as never,
                }),
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

export interface EndpointFields {
  name: string;
  url: string;
  description?: string;
  owner_id?: string;
}

/** Create or edit an endpoint (also the portal's form, without the owner). */
export function EndpointForm(props: {
  endpoint?: { name: string; url: string; description: string; owner_id: string } | undefined;
  withOwner: boolean;
  onClose: () => void;
  save: (body: EndpointFields) => Promise<void>;
}) {
  const [name, setName] = useState(props.endpoint?.name ?? '');
  const [url, setUrl] = useState(props.endpoint?.url ?? 'https://');
  const [description, setDescription] = useState(props.endpoint?.description ?? '');
  const [owner, setOwner] = useState(props.endpoint?.owner_id ?? '');
  const action = useAction();
  return (
    <Dialog
      title={props.endpoint ? `Edit ${props.endpoint.name}` : 'New endpoint'}
      onClose={props.onClose}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(() =>
            props.save({
              name,
              url,
              ...(description ? { description } : {}),
              ...(props.withOwner && owner ? { owner_id: owner } : {}),
            }),
          );
        }}
      >
        <Field label="Name">
          {(id) => (
            <input
              id={id}
              name="name"
              required
              value={name}
              onChange={(event) => {
                setName(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="URL" hint="Where deliveries are POSTed (http or https).">
          {(id) => (
            <input
              id={id}
              name="url"
              type="url"
              required
              value={url}
              onChange={(event) => {
                setUrl(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Description">
          {(id) => (
            <input
              id={id}
              name="description"
              value={description}
              onChange={(event) => {
                setDescription(event.target.value);
              }}
            />
          )}
        </Field>
        {props.withOwner ? (
          <Field label="Owner id" hint="Groups a customer's endpoints (fan-out, portal links).">
            {(id) => (
              <input
                id={id}
                name="owner_id"
                value={owner}
                onChange={(event) => {
                  setOwner(event.target.value);
                }}
              />
            )}
          </Field>
        ) : null}
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.busy}>
          Save
        </button>
      </form>
    </Dialog>
  );
}

/** A new secret signs from now on; the current ones keep signing for `expiration` seconds. */
export function RotateDialog(props: {
  endpoint: { name: string };
  onClose: () => void;
  rotate: (expiration: number) => Promise<void>;
}) {
  const [expiration, setExpiration] = useState('3600');
  const action = useAction();
  return (
    <Dialog title={`Rotate the secret of ${props.endpoint.name}`} onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(() => props.rotate(Number(expiration)));
        }}
      >
        <Field label="Keep the current secret signing for (seconds)" hint="0 stops it at once.">
          {(id) => (
            <input
              id={id}
              name="expiration"
              type="number"
              min={0}
              max={2592000}
              required
              value={expiration}
              onChange={(event) => {
                setExpiration(event.target.value);
              }}
            />
          )}
        </Field>
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.busy}>
          Rotate
        </button>
      </form>
    </Dialog>
  );
}
