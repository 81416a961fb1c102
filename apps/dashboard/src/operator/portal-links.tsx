import { useState } from 'react';
import { apiClient, pageQuery, unwrap, type Cursor } from '../api/client';
import type { Page, PortalLink } from '../api/types';
import {
  Dialog,
  ErrorNote,
  Field,
  Loading,
  Pager,
  SecretOnce,
  Time,
  useAction,
} from '../components/ui';
import { useLoad } from '../hooks';
import { BASE } from '../router';

/** Where a portal token opens the portal: this dashboard's own `/ui/portal` page. */
function portalUrl(token: string): string {
  return `${window.location.origin}${BASE}/portal?token=${encodeURIComponent(token)}`;
}

/**
 * Portal links: a customer's own view (their endpoints, deliveries, the event catalog). The link's
 * url carries its token and is shown once, when made or refreshed.
 */
export function PortalLinksPage({ token, projectId }: { token: string; projectId: string }) {
  const api = apiClient(token);
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const links = useLoad(
    () =>
      unwrap<Page<PortalLink>>(
        api.GET('/api/v1/projects/{projectID}/portal-links', {
          params: { path: { projectID: projectId }, query: pageQuery(cursor) },
        }),
      ),
    `${projectId}:${JSON.stringify(cursor)}`,
  );
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<PortalLink | null>(null);
  const action = useAction();
  const path = (id: string) => ({ params: { path: { projectID: projectId, portalLinkID: id } } });

  return (
    <>
      <h1>Portal links</h1>
      <div className="toolbar">
        <button
          type="button"
          onClick={() => {
            setCreating(true);
          }}
        >
          New portal link
        </button>
      </div>
      {issued ? (
        <>
          <SecretOnce
            label={`Portal of ${issued.name}`}
            value={issued.url}
            note="Open it, embed it in an iframe, or send it to the customer: it is shown only this once."
          />
          <p>
            <a
              href={issued.url}
              target="_blank"
              rel="noreferrer noopener"
              data-testid="open-portal"
            >
              Open the portal
            </a>
          </p>
        </>
      ) : null}
      <ErrorNote error={links.error ?? action.error} />
      {links.data ? (
        <>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Endpoints</th>
                  <th scope="col">May manage</th>
                  <th scope="col">Token</th>
                  <th scope="col">Created</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {links.data.content.map((link) => (
                  <tr key={link.uid}>
                    <td>{link.name}</td>
                    <td>
                      {link.owner_id ? `owner ${link.owner_id}` : `${link.endpoints.length} listed`}
                    </td>
                    <td>{link.endpoint_count}</td>
                    <td>{link.can_manage_endpoint ? 'yes' : 'no'}</td>
                    <td className="mono">PL.{link.token_prefix}…</td>
                    <td>
                      <Time iso={link.created_at} />
                    </td>
                    <td>
                      <div className="actions">
                        <button
                          type="button"
                          className="ghost small"
                          onClick={() =>
                            void action.run(async () => {
                              const token = await unwrap<string>(
                                api.GET(
                                  '/api/v1/projects/{projectID}/portal-links/{portalLinkID}/refresh_token',
                                  path(link.uid),
                                ),
                              );
                              setIssued({ ...link, token, url: portalUrl(token) });
                            })
                          }
                        >
                          New token
                        </button>
                        <button
                          type="button"
                          className="ghost small"
                          onClick={() =>
                            void action.run(async () => {
                              await unwrap(
                                api.PUT(
                                  '/api/v1/projects/{projectID}/portal-links/{portalLinkID}/revoke',
                                  path(link.uid),
                                ),
                              );
                              links.reload();
                            })
                          }
                        >
                          Revoke
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {links.data.content.length === 0 ? <p className="muted">No portal links yet.</p> : null}
          <Pager
            pagination={links.data.pagination}
            onPage={(direction, next) => {
              setCursor({ direction, cursor: next });
            }}
          />
        </>
      ) : (
        <Loading what="portal links" />
      )}
      {creating ? (
        <NewLinkDialog
          onClose={() => {
            setCreating(false);
          }}
          create={async (body) => {
            setIssued(
              await unwrap<PortalLink>(
                api.POST('/api/v1/projects/{projectID}/portal-links', {
                  params: { path: { projectID: projectId } },
                  body: body as never,
                }),
              ),
            );
            setCreating(false);
            links.reload();
          }}
        />
      ) : null}
    </>
  );
}

function NewLinkDialog(props: {
  onClose: () => void;
  create: (body: Record<string, unknown>) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'owner' | 'endpoints'>('owner');
  const [owner, setOwner] = useState('');
  const [endpoints, setEndpoints] = useState('');
  const [manage, setManage] = useState(false);
  const action = useAction();
  return (
    <Dialog title="New portal link" onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(() =>
            props.create({
              name,
              can_manage_endpoint: manage,
              ...(scope === 'owner'
                ? { owner_id: owner }
                : {
                    endpoints: endpoints
                      .split(',')
                      .map((id) => id.trim())
                      .filter(Boolean),
                  }),
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
        <Field label="Scope">
          {(id) => (
            <select
              id={id}
              value={scope}
              onChange={(event) => {
                setScope(event.target.value === 'endpoints' ? 'endpoints' : 'owner');
              }}
            >
              <option value="owner">Every endpoint of an owner</option>
              <option value="endpoints">Listed endpoints</option>
            </select>
          )}
        </Field>
        {scope === 'owner' ? (
          <Field label="Owner id">
            {(id) => (
              <input
                id={id}
                name="owner_id"
                required
                value={owner}
                onChange={(event) => {
                  setOwner(event.target.value);
                }}
              />
            )}
          </Field>
        ) : (
          <Field label="Endpoint ids" hint="Comma-separated.">
            {(id) => (
              <input
                id={id}
                name="endpoints"
                required
                value={endpoints}
                onChange={(event) => {
                  setEndpoints(event.target.value);
                }}
              />
            )}
          </Field>
        )}
        <div className="field">
          <label>
            <input
              type="checkbox"
              name="can_manage_endpoint"
              checked={manage}
              onChange={(event) => {
                setManage(event.target.checked);
              }}
            />{' '}
            The customer may add, edit, pause endpoints and rotate their secrets
          </label>
        </div>
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.busy}>
          Create
        </button>
      </form>
    </Dialog>
  );
}
