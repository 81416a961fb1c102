import { useState } from 'react';
import { apiClient, unwrap } from '../api/client';
import { ErrorNote, Field, useAction } from '../components/ui';
import { navigate } from '../router';
import { saveSession, type OperatorSession } from '../session';

/**
 * Signing in checks the token against the API: a project API key with its project's id, or the
 * instance admin token (which lists every project).
 */
export function SignIn({ onSignedIn }: { onSignedIn: (session: OperatorSession) => void }) {
  const [token, setToken] = useState('');
  const [projectId, setProjectId] = useState('');
  const action = useAction();
  const isKey = token.trim().startsWith('FL.');

  const submit = (): Promise<void> =>
    action.run(async () => {
      const api = apiClient(token.trim());
      let session: OperatorSession;
      if (isKey) {
        if (!projectId.trim()) throw new Error('A project API key needs its project id');
        await unwrap(
          api.GET('/api/v1/projects/{projectID}', {
            params: { path: { projectID: projectId.trim() } },
          }),
        );
        session = { kind: 'operator', token: token.trim(), projectId: projectId.trim() };
      } else {
        await unwrap(api.GET('/api/v1/projects'));
        session = { kind: 'operator', token: token.trim() };
      }
      saveSession(session);
      onSignedIn(session);
      navigate(session.projectId ? `/p/${session.projectId}/overview` : '/projects');
    });

  return (
    <main id="main" className="signin">
      <h1>Sign in to Flotilla</h1>
      <form
        className="panel"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Field
          label="API key or admin token"
          hint="A project API key (FL.…) or the instance admin token."
        >
          {(id) => (
            <input
              id={id}
              name="token"
              type="password"
              autoComplete="off"
              required
              value={token}
              onChange={(event) => {
                setToken(event.target.value);
              }}
            />
          )}
        </Field>
        {isKey ? (
          <Field label="Project id" hint="The project the key belongs to (npm start prints it).">
            {(id) => (
              <input
                id={id}
                name="projectId"
                required
                value={projectId}
                onChange={(event) => {
                  setProjectId(event.target.value);
                }}
              />
            )}
          </Field>
        ) : null}
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
