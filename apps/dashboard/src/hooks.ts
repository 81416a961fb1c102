import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

interface Result<T> {
  key: string;
  data?: T;
  error?: unknown;
}

/**
 * Loads with `load` when `key` changes (and on `reload`); with `refreshMs`, again on that interval
 * while the page is visible, keeping the last answer for the same key on screen meanwhile.
 */
export function useLoad<T>(load: () => Promise<T>, key: string, refreshMs?: number): Loaded<T> {
  const [result, setResult] = useState<Result<T> | null>(null);
  const [generation, setGeneration] = useState(0);
  const latest = useRef(load);
  useEffect(() => {
    latest.current = load;
  });
  const reload = useCallback(() => {
    setGeneration((value) => value + 1);
  }, []);

  useEffect(() => {
    let live = true;
    latest.current().then(
      (data) => {
        if (live) setResult({ key, data });
      },
      (error: unknown) => {
        if (live) setResult({ key, error });
      },
    );
    return () => {
      live = false;
    };
  }, [key, generation]);

  useEffect(() => {
    if (!refreshMs) return undefined;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, refreshMs);
    return () => {
      window.clearInterval(timer);
    };
  }, [refreshMs, reload]);

  const current = result?.key === key ? result : undefined;
  return { data: current?.data, error: current?.error, loading: current === undefined, reload };
}
