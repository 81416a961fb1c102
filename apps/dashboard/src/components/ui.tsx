import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { describeError } from '../api/client';
import type { Pagination } from '../api/types';
import { BASE, navigate } from '../router';

/** An in-app link: a real <a href> (open in a new tab works), navigating without a reload. */
export function Link(props: {
  to: string;
  children: ReactNode;
  className?: string;
  current?: boolean;
}) {
  return (
    <a
      href={`${BASE}${props.to}`}
      className={props.className}
      aria-current={props.current ? 'page' : undefined}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  return (
    <p className="error" role="alert">
      {describeError(error)}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{status}</span>;
}

export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span className="muted">—</span>;
  const date = new Date(iso);
  return (
    <time dateTime={iso} title={iso}>
      {date.toLocaleString()}
    </time>
  );
}

export function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <pre className="json" role="region" aria-label={label} tabIndex={0}>
      {typeof value === 'string' ? value : JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** A labelled form control; `children` is the input, given the generated id. */
export function Field(props: {
  label: string;
  hint?: string;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id)}
      {props.hint ? <small className="muted">{props.hint}</small> : null}
    </div>
  );
}

/** A modal dialog (native <dialog>: focus stays inside, Escape closes). */
export function Dialog(props: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={props.onClose}
      onCancel={(event) => {
        event.preventDefault();
        props.onClose();
      }}
    >
      <header className="dialog-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" className="ghost" onClick={props.onClose} aria-label="Close">
          ✕
        </button>
      </header>
      {props.children}
    </dialog>
  );
}

/** Previous / next over Convoy's cursors. */
export function Pager(props: {
  pagination: Pagination | undefined;
  onPage: (direction: 'next' | 'prev', cursor: string) => void;
}) {
  const page = props.pagination;
  if (!page) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button
        type="button"
        disabled={!page.has_prev_page}
        onClick={() => {
          props.onPage('prev', page.prev_page_cursor);
        }}
      >
        ← Newer
      </button>
      <button
        type="button"
        disabled={!page.has_next_page}
        onClick={() => {
          props.onPage('next', page.next_page_cursor);
        }}
      >
        Older →
      </button>
    </nav>
  );
}

/** A secret shown once, after it was made: copy it now, it is not shown like this again. */
export function SecretOnce(props: { label: string; value: string; note?: string }) {
  return (
    <div className="secret" role="status">
      <strong>{props.label}</strong>
      <code className="secret-value" data-testid="secret-once">
        {props.value}
      </code>
      <small>{props.note ?? 'Copy it now: it is shown only this once.'}</small>
    </div>
  );
}

/** A secret hidden until asked for. */
export function Masked({ value }: { value: string }) {
  const [shown, setShown] = useState(false);
  return (
    <span className="masked">
      <code>{shown ? value : `${value.slice(0, 6)}…${'•'.repeat(8)}`}</code>
      <button
        type="button"
        className="ghost small"
        onClick={() => {
          setShown(!shown);
        }}
      >
        {shown ? 'Hide' : 'Show'}
      </button>
    </span>
  );
}

/** Runs an action, showing its error; `busy` disables the form meanwhile. */
export function useAction(): {
  busy: boolean;
  error: unknown;
  run: (action: () => Promise<void>) => Promise<void>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  return {
    busy,
    error,
    clear: () => {
      setError(undefined);
    },
    run: async (action) => {
      setBusy(true);
      setError(undefined);
      try {
        await action();
      } catch (caught) {
        setError(caught);
      } finally {
        setBusy(false);
      }
    },
  };
}

/** Parses a JSON text field, naming it when it is not JSON. */
export function parseJson(text: string, field: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${field}: not valid JSON (${error instanceof Error ? error.message : ''})`);
  }
}
