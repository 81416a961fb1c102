import { useState } from 'react';
import { apiClient, unwrap } from '../api/client';
import type { EventType } from '../api/types';
import { Catalog } from '../components/catalog';
import { Dialog, ErrorNote, Field, Json, Loading, parseJson, useAction } from '../components/ui';
import { useLoad } from '../hooks';

/** The event-type catalog: create, edit, deprecate; the webhooks OpenAPI document. */
export function EventTypesPage({ token, projectId }: { token: string; projectId: string }) {
  const api = apiClient(token);
  const types = useLoad(
    () =>
      unwrap<EventType[]>(
        api.GET('/api/v1/projects/{projectID}/event-types', {
          params: { path: { projectID: projectId } },
        }),
      ),
    projectId,
  );
  const [editing, setEditing] = useState<EventType | 'new' | null>(null);
  const [document, setDocument] = useState<unknown>(null);
  const action = useAction();
  return (
    <>
      <h1>Event types</h1>
      <div className="toolbar">
        <button
          type="button"
          onClick={() => {
            setEditing('new');
          }}
        >
          New event type
        </button>
        <button
          type="button"
          className="ghost"
          onClick={() =>
            void action.run(async () => {
              setDocument(
                await unwrap(
                  api.GET('/api/v1/projects/{projectID}/event-types/openapi.json', {
                    params: { path: { projectID: projectId } },
                  }),
                ),
              );
            })
          }
        >
          OpenAPI webhooks document
        </button>
      </div>
      <ErrorNote error={types.error ?? action.error} />
      {types.data ? (
        <Catalog
          types={types.data}
          actions={(type) => (
            <>
              <button
                type="button"
                className="ghost small"
                onClick={() => {
                  setEditing(type);
                }}
              >
                Edit
              </button>
              {type.deprecated_at ? null : (
                <button
                  type="button"
                  className="ghost small"
                  onClick={() =>
                    void action.run(async () => {
                      await unwrap(
                        api.POST(
                          '/api/v1/projects/{projectID}/event-types/{eventTypeID}/deprecate',
                          {
                            params: { path: { projectID: projectId, eventTypeID: type.uid } },
                          },
                        ),
                      );
                      types.reload();
                    })
                  }
                >
                  Deprecate
                </button>
              )}
            </>
          )}
        />
      ) : (
        <Loading what="event types" />
      )}
      {document ? (
        <Dialog
          title="Webhooks (OpenAPI 3.1)"
          onClose={() => {
            setDocument(null);
          }}
        >
          <Json value={document} label="OpenAPI document" />
        </Dialog>
      ) : null}
      {editing ? (
        <EventTypeDialog
          type={editing === 'new' ? undefined : editing}
          onClose={() => {
            setEditing(null);
          }}
          save={async (body) => {
            if (editing === 'new') {
              await unwrap(
                api.POST('/api/v1/projects/{projectID}/event-types', {
                  params: { path: { projectID: projectId } },
                  body: body as never,
                }),
              );
            } else {
              await unwrap(
                api.PUT('/api/v1/projects/{projectID}/event-types/{eventTypeID}', {
                  params: { path: { projectID: projectId, eventTypeID: editing.uid } },
                  body: {
                    category: body.category,
                    description: body.description,
                    json_schema: body.json_schema,
                  },
                }),
              );
            }
            setEditing(null);
            types.reload();
          }}
        />
      ) : null}
    </>
  );
}

interface EventTypeBody {
  name: string;
  category: string;
  description: string;
  json_schema: Record<string, unknown> | null;
}

function EventTypeDialog(props: {
  type: EventType | undefined;
  onClose: () => void;
  save: (body: EventTypeBody) => Promise<void>;
}) {
  const [name, setName] = useState(props.type?.name ?? '');
  const [category, setCategory] = useState(props.type?.category ?? '');
  const [description, setDescription] = useState(props.type?.description ?? '');
  const [schema, setSchema] = useState(
    props.type?.json_schema ? JSON.stringify(props.type.json_schema, null, 2) : '',
  );
  const action = useAction();
  return (
    <Dialog
      title={props.type ? `Edit ${props.type.name}` : 'New event type'}
      onClose={props.onClose}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(() =>
            props.save({
              name,
              category,
              description,
              json_schema: (parseJson(schema, 'json_schema') ?? null) as Record<
                string,
                unknown
              > | null,
            }),
          );
        }}
      >
        {props.type ? null : (
          <Field label="Name" hint="As producers send it, e.g. invoice.paid">
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
        )}
        <Field label="Category">
          {(id) => (
            <input
              id={id}
              value={category}
              onChange={(event) => {
                setCategory(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Description">
          {(id) => (
            <input
              id={id}
              value={description}
              onChange={(event) => {
                setDescription(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="JSON schema of the data" hint="JSON Schema 2020-12; empty for none.">
          {(id) => (
            <textarea
              id={id}
              rows={10}
              value={schema}
              onChange={(event) => {
                setSchema(event.target.value);
              }}
            />
          )}
        </Field>
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.busy}>
          Save
        </button>
      </form>
    </Dialog>
  );
}
