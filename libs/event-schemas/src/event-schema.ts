import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';

/** A JSON Schema as stored with an event type (any JSON object). */
export type JsonSchemaObject = Record<string, unknown>;

/** Why a schema was refused when saved: `path` is where in the schema, `message` what is wrong. */
export class InvalidSchemaError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'InvalidSchemaError';
  }
}

/** The first place an event's data breaks its type's schema, as a field path (`data.items.0.id`). */
export interface SchemaViolation {
  field: string;
  message: string;
}

export interface CompiledEventSchema {
  /** Null when `data` conforms, else the first violation (the check stops there: it is cheap). */
  check(data: unknown): SchemaViolation | null;
}

// Draft 2020-12 (OpenAPI 3.1's dialect). Not strict: catalog schemas often carry annotations other
// tools use (`example`, `x-*`). Formats are annotations only, as the draft's default says.
const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
/** A schema larger than this is refused when saved: validators are compiled and kept in memory. */
export const MAX_SCHEMA_BYTES = 64 * 1024;

/** Compiles a schema for checking events; throws InvalidSchemaError naming what is wrong. */
export function compileEventSchema(schema: JsonSchemaObject): CompiledEventSchema {
  if (JSON.stringify(schema).length > MAX_SCHEMA_BYTES) {
    throw new InvalidSchemaError(`is larger than ${MAX_SCHEMA_BYTES} bytes`, '');
  }
  // Without its `$id`, and dropped from ajv's cache once compiled: each validator stands alone, and
  // recompiling a changed schema does not grow the shared instance.
  const standalone = { ...schema };
  delete standalone['$id'];
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(standalone);
  } catch (error) {
    throw new InvalidSchemaError(error instanceof Error ? error.message : String(error), '');
  } finally {
    ajv.removeSchema(standalone);
  }
  return {
    check(data: unknown): SchemaViolation | null {
      if (validate(data)) return null;
      return describe(validate.errors?.[0]);
    },
  };
}

function describe(error: ErrorObject | undefined): SchemaViolation {
  if (!error) return { field: 'data', message: 'does not match the schema' };
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  // A missing property is reported on its parent: name the property itself.
  const missing =
    error.keyword === 'required'
      ? (error.params as { missingProperty?: string }).missingProperty
      : undefined;
  if (missing !== undefined) segments.push(missing);
  return {
    field: ['data', ...segments].join('.'),
    message: missing !== undefined ? 'is required' : (error.message ?? 'does not match the schema'),
  };
}
