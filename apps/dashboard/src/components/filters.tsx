import { useState } from 'react';
import { Field } from './ui';

export interface FilterSpec {
  name: string;
  label: string;
  type?: 'text' | 'datetime-local' | 'select';
  options?: readonly string[];
}

/** The API's list filters as a form; empty fields are left out. Dates are local times, sent as UTC. */
export function FilterForm(props: {
  specs: readonly FilterSpec[];
  initial: Record<string, string>;
  onApply: (values: Record<string, string>) => void;
}) {
  const [values, setValues] = useState(props.initial);
  return (
    <form
      className="toolbar panel"
      aria-label="Filters"
      onSubmit={(event) => {
        event.preventDefault();
        props.onApply(
          Object.fromEntries(Object.entries(values).filter(([, value]) => value !== '')),
        );
      }}
    >
      {props.specs.map((spec) => (
        <Field key={spec.name} label={spec.label}>
          {(id) =>
            spec.type === 'select' ? (
              <select
                id={id}
                name={spec.name}
                value={values[spec.name] ?? ''}
                onChange={(event) => {
                  setValues({ ...values, [spec.name]: event.target.value });
                }}
              >
                <option value="">Any</option>
                {spec.options?.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={id}
                name={spec.name}
                type={spec.type ?? 'text'}
                value={values[spec.name] ?? ''}
                onChange={(event) => {
                  setValues({ ...values, [spec.name]: event.target.value });
                }}
              />
            )
          }
        </Field>
      ))}
      <div className="field">
        <button type="submit">Apply</button>
      </div>
    </form>
  );
}

/** Filter values as API query parameters (local date-times become RFC 3339 UTC). */
export function toQuery(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) =>
      name.endsWith('Date') ? [name, new Date(value).toISOString()] : [name, value],
    ),
  );
}

/** The filters given in the page's URL (`?endpointId=…`), e.g. from the overview's links. */
export function filtersFromUrl(names: readonly string[]): Record<string, string> {
  const params = new URLSearchParams(window.location.search);
  return Object.fromEntries(
    names.flatMap((name) => {
      const value = params.get(name);
      return value ? [[name, value]] : [];
    }),
  );
}
