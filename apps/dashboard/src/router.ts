import { useEffect, useState } from 'react';

/** The app lives under /ui; paths below are the app's own routes (the server answers index.html). */
export const BASE = '/ui';

const CHANGE = 'flotilla:navigate';

export function currentPath(): string {
  const path = window.location.pathname.slice(BASE.length) || '/';
  return path.startsWith('/') ? path : `/${path}`;
}

export function navigate(path: string): void {
  window.history.pushState(null, '', `${BASE}${path}`);
  window.dispatchEvent(new Event(CHANGE));
}

/** The current path below /ui, following links and the browser's back and forward buttons. */
export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = (): void => {
      setPath(currentPath());
    };
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return path;
}

/** `/p/:id/endpoints` against `/p/x/endpoints` → { id: 'x' }, or undefined when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const value = got[index]!;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(value);
    else if (part !== value) return undefined;
  }
  return params;
}
