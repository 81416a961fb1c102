import { useState } from 'react';
import { apiClient, unwrap } from '../api/client';
import type { Project } from '../api/types';
import {
  Dialog,
  ErrorNote,
  Field,
  Link,
  Loading,
  SecretOnce,
  Time,
  useAction,
} from '../components/ui';
import { useLoad } from '../hooks';

/** Every project (admin token): open one, or make one and see its first API key once. */
export function ProjectsPage({ token }: { token: string }) {
  const api = apiClient(token);
  const projects = useLoad(() => unwrap<Project[]>(api.GET('/api/v1/projects')), 'projects');
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [key, setKey] = useState<{ project: string; key: string } | null>(null);
  const action = useAction();

  return (
    <>
      <h1>Projects</h1>
      <div className="toolbar">
        <button
          type="button"
          onClick={() => {
            setCreating(true);
          }}
        >
          New project
        </button>
      </div>
      {key ? <SecretOnce label={`API key of ${key.project}`} value={key.key} /> : null}
      <ErrorNote error={projects.error} />
      {projects.data ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {projects.data.map((project) => (
                <tr key={project.uid}>
                  <td>
                    <Link to={`/p/${project.uid}/overview`}>{project.name}</Link>
                  </td>
                  <td>
                    <code>{project.uid}</code>
                  </td>
                  <td>
                    <Time iso={project.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Loading what="projects" />
      )}
      {creating ? (
        <Dialog
          title="New project"
          onClose={() => {
            setCreating(false);
          }}
        >
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void action.run(async () => {
                const created = await unwrap<{ project: Project; api_key: { key: string } }>(
                  api.POST('/api/v1/projects', { body: { name } as never }),
                );
                setKey({ project: created.project.name, key: created.api_key.key });
                setCreating(false);
                projects.reload();
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
            <ErrorNote error={action.error} />
            <button type="submit" disabled={action.busy}>
              Create
            </button>
          </form>
        </Dialog>
      ) : null}
    </>
  );
}
