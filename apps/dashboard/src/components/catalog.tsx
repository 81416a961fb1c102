import type { EventType } from '../api/types';
import { Json, Time } from './ui';

/** The event-type catalog: each type's description, JSON schema and an example payload. */
export function Catalog(props: {
  types: EventType[];
  actions?: (type: EventType) => React.ReactNode;
}) {
  if (props.types.length === 0) return <p className="muted">No event types in the catalog yet.</p>;
  return (
    <div>
      {props.types.map((type) => (
        <details key={type.uid} data-testid="event-type">
          <summary>
            <span className="mono">{type.name}</span>
            {type.category ? <span className="badge">{type.category}</span> : null}
            {type.deprecated_at ? <span className="badge badge-failure">deprecated</span> : null}
          </summary>
          {type.description ? <p>{type.description}</p> : null}
          {type.deprecated_at ? (
            <p className="muted">
              Deprecated <Time iso={type.deprecated_at} />
            </p>
          ) : null}
          <div className="grid-2">
            <div>
              <h3>Schema</h3>
              <Json
                value={type.json_schema ?? 'No schema: any JSON.'}
                label={`Schema of ${type.name}`}
              />
            </div>
            <div>
              <h3>Example payload</h3>
              <Json value={type.example} label={`Example of ${type.name}`} />
            </div>
          </div>
          {props.actions ? <div className="actions">{props.actions(type)}</div> : null}
        </details>
      ))}
    </div>
  );
}
