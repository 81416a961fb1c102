import type { z } from 'zod';
import {
  amqpIngesterEnvSchema,
  dispatcherEnvSchema,
  ingestApiEnvSchema,
  pubsubIngesterEnvSchema,
  schedulerEnvSchema,
  sqsIngesterEnvSchema,
} from './env.schema';

/** Every service's environment schema, in the order the reference lists them. */
export const SERVICE_ENV_SCHEMAS = {
  'ingest-api': ingestApiEnvSchema,
  dispatcher: dispatcherEnvSchema,
  scheduler: schedulerEnvSchema,
  'pubsub-ingester': pubsubIngesterEnvSchema,
  'sqs-ingester': sqsIngesterEnvSchema,
  'amqp-ingester': amqpIngesterEnvSchema,
} as const;
type Service = keyof typeof SERVICE_ENV_SCHEMAS;

export interface ConfigVariable {
  name: string;
  services: Service[];
  /** The default per service ('' when required, undefined when optional without one). */
  defaults: Map<Service, string | undefined>;
  required: boolean;
  values: string;
  description: string | undefined;
}

/** What the variable's value must look like, read from its schema. */
function valuesOf(schema: z.ZodType): string {
  const def = schema.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'default':
    case 'optional':
      return valuesOf(def['innerType'] as z.ZodType);
    case 'pipe': {
      const out = def['out'] as z.ZodType;
      if (out.def.type === 'boolean') return '`true` or `false`';
      if (out.def.type === 'array' || out.def.type === 'transform') return 'comma-separated list';
      return valuesOf(out);
    }
    case 'enum':
      return (schema as unknown as { options: string[] }).options
        .map((option) => `\`${option}\``)
        .join(', ');
    case 'number': {
      const number = schema as unknown as {
        minValue: number | null;
        maxValue: number | null;
        format: string | null;
      };
      const kind = number.format === 'safeint' ? 'integer' : 'number';
      const bound = (value: number | null) =>
        value === null || Math.abs(value) >= Number.MAX_SAFE_INTEGER ? undefined : String(value);
      const min = bound(number.minValue);
      const max = bound(number.maxValue);
      if (min !== undefined && max !== undefined) return `${kind}, ${min}–${max}`;
      if (min !== undefined) return `${kind} ≥ ${min}`;
      return kind;
    }
    case 'string': {
      const format = (schema as unknown as { format: string | null }).format;
      return format === 'url' ? 'URL' : 'string';
    }
    default:
      return def.type;
  }
}

function defaultOf(schema: z.ZodType): { required: boolean; value: string | undefined } {
  const parsed = schema.safeParse(undefined);
  if (!parsed.success) return { required: true, value: '' };
  const value: unknown = parsed.data;
  if (value === undefined) return { required: false, value: undefined };
  if (Array.isArray(value)) return { required: false, value: value.join(',') };
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return { required: false, value: String(value) };
  return { required: false, value: JSON.stringify(value) };
}

/** The variables of every service, in first-seen order, merged by name. */
export function configVariables(): ConfigVariable[] {
  const byName = new Map<string, ConfigVariable>();
  for (const [service, schema] of Object.entries(SERVICE_ENV_SCHEMAS) as [
    Service,
    (typeof SERVICE_ENV_SCHEMAS)[Service],
  ][]) {
    for (const [name, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
      const { required, value } = defaultOf(field);
      const variable: ConfigVariable = byName.get(name) ?? {
        name,
        services: [],
        defaults: new Map(),
        required,
        values: valuesOf(field),
        description: field.description,
      };
      variable.services.push(service);
      variable.defaults.set(service, value);
      variable.description ??= field.description;
      byName.set(name, variable);
    }
  }
  return [...byName.values()];
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function defaultCell(variable: ConfigVariable): string {
  if (variable.required) return '**required**';
  const distinct = new Set(variable.defaults.values());
  if (distinct.size === 1) {
    const [only] = distinct;
    return only === undefined ? 'unset' : only === '' ? 'empty' : `\`${only}\``;
  }
  return [...variable.defaults]
    .map(([service, value]) => `${service}: ${value === undefined ? 'unset' : `\`${value}\``}`)
    .join('<br>');
}

/** docs/configuration.md, generated from the schemas (`npm run config-docs`). */
export function configurationReference(): string {
  const all = Object.keys(SERVICE_ENV_SCHEMAS).length;
  const rows = configVariables().map((variable) =>
    [
      `\`${variable.name}\``,
      variable.services.length === all ? 'all' : variable.services.join(', '),
      defaultCell(variable),
      variable.values,
      cell(variable.description ?? ''),
    ].join(' | '),
  );
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from libs/contracts/src/env/env.schema.ts by `npm run config-docs`; a unit test',
    '     fails when this file is out of date. Edit the schemas, not this file. -->',
    '',
    'Every service reads its configuration from environment variables, validated at start-up: a',
    'service with a missing or wrong value exits with code 78 and lists every problem. An empty',
    'value counts as unset. Kafka settings that only work together (TLS files without `KAFKA_SSL`,',
    'a SASL mechanism without its credentials) are refused the same way.',
    '',
    '| Variable | Services | Default | Values | Description |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
    '',
  ].join('\n');
}
