import { useState } from 'react';
import { apiClient, pageQuery, unwrap, type Cursor } from '../api/client';
import type { IngestFailure, Page, Source } from '../api/types';
import {
  Dialog,
  ErrorNote,
  Field,
  Json,
  Loading,
  Pager,
  StatusBadge,
  Time,
  parseJson,
  useAction,
} from '../components/ui';
import { useLoad } from '../hooks';

/** Sources: incoming webhooks (http) and brokers (Pub/Sub, SQS), with the messages they refused. */
export function SourcesPage({ token, projectId }: { token: string; projectId: string }) {
  const api = apiClient(token);
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const sources = useLoad(
    () =>
      unwrap<Page<Source>>(
        api.GET('/api/v1/projects/{projectID}/sources', {
          params: { path: { projectID: projectId }, query: pageQuery(cursor) },
        }),
      ),
    `${projectId}:${JSON.stringify(cursor)}`,
  );
  const [open, setOpen] = useState<Source | null>(null);
  const [creating, setCreating] = useState(false);

  return (
    <>
      <h1>Sources</h1>
      <div className="toolbar">
        <button
          type="button"
          onClick={() => {
            setCreating(true);
          }}
        >
          New source
        </button>
      </div>
      <ErrorNote error={sources.error} />
      {sources.data ? (
        <>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Receives at</th>
                  <th scope="col">Status</th>
                  <th scope="col">Ingest failures</th>
                </tr>
              </thead>
              <tbody>
                {sources.data.content.map((source) => (
                  <tr key={source.uid}>
                    <td>{source.name}</td>
                    <td>
                      {source.type === 'http'
                        ? `http${source.provider ? ` (${source.provider})` : ''}`
                        : `broker (${source.pub_sub?.type ?? '?'})`}
                    </td>
                    <td className="mono">
                      {source.type === 'http'
                        ? (source.url ?? `/ingest/${source.mask_id ?? ''}`)
                        : '—'}
                    </td>
                    <td>
                      <StatusBadge status={source.is_disabled ? 'paused' : 'active'} />
                    </td>
                    <td>
                      <button
                        type="button"
                        className="ghost small"
                        onClick={() => {
                          setOpen(source);
                        }}
                      >
                        Show failures
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {sources.data.content.length === 0 ? <p className="muted">No sources yet.</p> : null}
          <Pager
            pagination={sources.data.pagination}
            onPage={(direction, next) => {
              setCursor({ direction, cursor: next });
            }}
          />
        </>
      ) : (
        <Loading what="sources" />
      )}
      {open ? (
        <FailuresDialog
          token={token}
          projectId={projectId}
          source={open}
          onClose={() => {
            setOpen(null);
          }}
        />
      ) : null}
      {creating ? (
        <NewSourceDialog
          token={token}
          projectId={projectId}
          onClose={() => {
            setCreating(false);
          }}
          onSaved={() => {
            setCreating(false);
            sources.reload();
          }}
        />
      ) : null}
    </>
  );
}

function FailuresDialog(props: {
  token: string;
  projectId: string;
  source: Source;
  onClose: () => void;
}) {
  const failures = useLoad(
    () =>
      unwrap<Page<IngestFailure>>(
        apiClient(props.token).GET('/api/v1/projects/{projectID}/sources/{sourceID}/failures', {
          params: { path: { projectID: props.projectId, sourceID: props.source.uid } },
        }),
      ),
    props.source.uid,
  );
  return (
    <Dialog title={`Ingest failures of ${props.source.name}`} onClose={props.onClose}>
      <ErrorNote error={failures.error} />
      {failures.data ? (
        failures.data.content.length === 0 ? (
          <p className="muted">Nothing refused.</p>
        ) : (
          failures.data.content.map((failure) => (
            <details key={failure.uid}>
              <summary>
                {failure.reason} · <Time iso={failure.created_at} />
              </summary>
              <p>{failure.detail}</p>
              <Json value={failure.payload} label="Payload" />
            </details>
          ))
        )
      ) : (
        <Loading what="failures" />
      )}
    </Dialog>
  );
}

const HTTP_EXAMPLE = {
  name: 'github',
  type: 'http',
  provider: 'github',
  verifier: { type: 'hmac', hmac: { secret: 'change-me' } },
};

/** A source as JSON (Convoy's body): http with a verifier, or pub_sub with its broker's settings. */
function NewSourceDialog(props: {
  token: string;
  projectId: string;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [text, setText] = useState(JSON.stringify(HTTP_EXAMPLE, null, 2));
  const action = useAction();
  return (
    <Dialog title="New source" onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(async () => {
            await unwrap(
              apiClient(props.token).POST('/api/v1/projects/{projectID}/sources', {
                params: { path: { projectID: props.projectId } },
                body: parseJson(text, 'source') as never,
              }),
            );
            props.onSaved();
          });
        }}
      >
        <Field
          label="Source (JSON)"
          hint='http: {"type":"http","verifier":{…}} · broker: {"type":"pub_sub","pub_sub":{"type":"sqs"|"google",…}}'
        >
          {(id) => (
            <textarea
              id={id}
              rows={12}
              value={text}
              onChange={(event) => {
                setText(event.target.value);
              }}
            />
          )}
        </Field>
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.busy}>
          Create
        </button>
      </form>
    </Dialog>
  );
}
