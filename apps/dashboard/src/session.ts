/**
 * Who is signed in, kept for this browser tab only (sessionStorage): an operator's API key or admin
 * token, or a customer's portal token. Never in localStorage or cookies.
 */
export interface OperatorSession {
  kind: 'operator';
  token: string;
  /** Set for a project API key (it reaches one project); absent for the admin token. */
  projectId?: string;
}

export interface PortalSession {
  kind: 'portal';
  token: string;
}

const KEY = 'flotilla.session';

export function loadSession(kind: 'operator' | 'portal'): OperatorSession | PortalSession | null {
  try {
    const raw = window.sessionStorage.getItem(`${KEY}.${kind}`);
    return raw ? (JSON.parse(raw) as OperatorSession | PortalSession) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: OperatorSession | PortalSession): void {
  try {
    window.sessionStorage.setItem(`${KEY}.${session.kind}`, JSON.stringify(session));
  } catch {
    // Storage may be unavailable (a sandboxed iframe): the session lasts as long as the page.
  }
}

export function clearSession(kind: 'operator' | 'portal'): void {
  try {
    window.sessionStorage.removeItem(`${KEY}.${kind}`);
  } catch {
    // as above
  }
}
