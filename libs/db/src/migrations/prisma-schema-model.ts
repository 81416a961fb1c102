// What schema.prisma says the database should look like, read with Prisma's own parser (the DMMF
// from the `prisma-schema-wasm` module bundled in the `prisma` CLI package), turned into the shape
// PostgreSQL reports: table and column names after @map/@@map, `format_type()` types, nullability,
// `pg_get_expr()` defaults, Prisma's default constraint names, ON DELETE/ON UPDATE actions.
//
// Test tooling only (the `prisma` package is a devDependency): the drift test compares this with
// the migrated database. Not exported from the package index.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

// ---------------------------------------------------------------------------------------------
// DMMF (the subset of `datamodel` used here)

export type DmmfDefault =
  string | number | boolean | { name: string; args: unknown[] } | (string | number | boolean)[];

export interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  isList: boolean;
  isRequired: boolean;
  isUnique: boolean;
  isId: boolean;
  hasDefaultValue: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  default?: DmmfDefault;
  isUpdatedAt: boolean;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

export interface DmmfModel {
  name: string;
  dbName: string | null;
  schema: string | null;
  fields: DmmfField[];
  primaryKey: { name: string | null; fields: string[] } | null;
}

export interface DmmfEnum {
  name: string;
  dbName?: string | null;
  values: { name: string; dbName: string | null }[];
}

export interface DmmfIndex {
  model: string;
  type: 'id' | 'normal' | 'unique' | 'fulltext';
  isDefinedOnField: boolean;
  name?: string;
  dbName?: string;
  algorithm?: string;
  fields: { name: string; sortOrder?: 'asc' | 'desc'; length?: number; operatorClass?: string }[];
}

export interface DmmfDatamodel {
  enums: DmmfEnum[];
  models: DmmfModel[];
  indexes: DmmfIndex[];
}

// ---------------------------------------------------------------------------------------------
// Loading Prisma's schema parser (Rust compiled to WebAssembly, shipped inside the `prisma` package)

/** Minimal typings: the workspace compiles without lib.dom, which is where WebAssembly is declared. */
interface WasmModule {
  readonly _brand?: 'WasmModule';
}
interface WasmGlobal {
  Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(module: WasmModule): { module: string; name: string; kind: string }[];
  };
  Instance: new (
    module: WasmModule,
    imports: Record<string, Record<string, (...args: number[]) => unknown>>,
  ) => { exports: unknown };
}
interface WasmTable {
  get(index: number): unknown;
  set(index: number, value: unknown): void;
  grow(delta: number): number;
}
interface SchemaWasmExports {
  memory: { buffer: ArrayBuffer };
  __wbindgen_externrefs: WasmTable;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, len: number, align: number): void;
  __externref_table_dealloc(index: number): void;
  __wbindgen_start(): void;
  get_dmmf(ptr: number, len: number): [number, number, number, number];
}

let schemaWasm: { getDmmf(schema: string): string } | undefined;

/** Path of `prisma_schema_build_bg.wasm` in the installed `prisma` package. */
export function prismaSchemaWasmPath(): string {
  return path.join(
    path.dirname(require.resolve('prisma/package.json')),
    'build',
    'prisma_schema_build_bg.wasm',
  );
}

function loadSchemaWasm(): { getDmmf(schema: string): string } {
  if (schemaWasm) return schemaWasm;
  const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
  const module = new wasm.Module(readFileSync(prismaSchemaWasmPath()));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // Filled in once instantiated; the imports below only run after that.
  const state: { exports?: SchemaWasmExports; panicMessage?: string } = {};
  const ex = (): SchemaWasmExports => {
    if (!state.exports) throw new Error('prisma-schema-wasm is not initialised');
    return state.exports;
  };
  const readString = (ptr: number, len: number): string =>
    decoder.decode(new Uint8Array(ex().memory.buffer, ptr >>> 0, len));

  // The wasm-bindgen imports carry a hash suffix that changes between Prisma releases: match by
  // prefix, and fail loudly on anything new rather than guess.
  const imports: Record<string, Record<string, (...args: number[]) => unknown>> = {};
  for (const imp of wasm.Module.imports(module)) {
    let fn: (...args: number[]) => unknown;
    if (imp.name.startsWith('__wbg_Error_')) {
      fn = (ptr, len) => new Error(readString(ptr, len));
    } else if (imp.name.startsWith('__wbg___wbindgen_throw_')) {
      fn = (ptr, len) => {
        throw new Error(readString(ptr, len));
      };
    } else if (imp.name.startsWith('__wbg_set_message_')) {
      fn = (ptr, len) => {
        state.panicMessage = readString(ptr, len);
      };
    } else if (imp.name === '__wbindgen_init_externref_table') {
      fn = () => {
        const table = ex().__wbindgen_externrefs;
        const offset = table.grow(4);
        table.set(0, undefined);
        table.set(offset, undefined);
        table.set(offset + 1, null);
        table.set(offset + 2, true);
        table.set(offset + 3, false);
      };
    } else {
      throw new Error(
        `Unsupported import ${imp.module}.${imp.name} in ${prismaSchemaWasmPath()}: ` +
          'the Prisma version changed its wasm-bindgen glue; update prisma-schema-model.ts',
      );
    }
    (imports[imp.module] ??= {})[imp.name] = fn;
  }
  state.exports = new wasm.Instance(module, imports).exports as SchemaWasmExports;
  state.exports.__wbindgen_start();

  const encoder = new TextEncoder();
  schemaWasm = {
    getDmmf(schema: string): string {
      const e = ex();
      const input = encoder.encode(JSON.stringify({ prismaSchema: schema, noColor: true }));
      const ptr = e.__wbindgen_malloc(input.length, 1) >>> 0;
      new Uint8Array(e.memory.buffer).set(input, ptr);
      let result: [number, number, number, number];
      try {
        result = e.get_dmmf(ptr, input.length);
      } catch (err) {
        throw new Error(`prisma-schema-wasm panicked: ${state.panicMessage ?? String(err)}`, {
          cause: err,
        });
      }
      const [outPtr, outLen, errIndex, isErr] = result;
      if (isErr) {
        const error = e.__wbindgen_externrefs.get(errIndex);
        e.__externref_table_dealloc(errIndex);
        throw error instanceof Error ? error : new Error(String(error));
      }
      try {
        return readString(outPtr, outLen);
      } finally {
        e.__wbindgen_free(outPtr, outLen, 1);
      }
    },
  };
  return schemaWasm;
}

/** Prisma's DMMF datamodel for a schema; throws Prisma's validation errors for an invalid one. */
export function getDmmfDatamodel(schema: string): DmmfDatamodel {
  let json: string;
  try {
    json = loadSchemaWasm().getDmmf(schema);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    let detail = message;
    try {
      const parsed = JSON.parse(message) as { message?: string };
      detail = parsed.message ?? message;
    } catch {
      // not JSON: keep the raw message
    }
    throw new Error(`Invalid Prisma schema: ${detail}`, { cause: err });
  }
  return (JSON.parse(json) as { datamodel: DmmfDatamodel }).datamodel;
}

// ---------------------------------------------------------------------------------------------
// The database shape, as PostgreSQL reports it

export type ReferentialAction = 'Cascade' | 'Restrict' | 'NoAction' | 'SetNull' | 'SetDefault';

export interface DbColumn {
  name: string;
  /** `format_type(atttypid, atttypmod)`, e.g. `timestamp(3) with time zone`, `text[]`, `"Status"`. */
  type: string;
  nullable: boolean;
  /** `pg_get_expr(adbin, adrelid)`, or null. On the expected side, undefined means "not checked". */
  default: string | null | undefined;
}

export interface DbIndex {
  name: string;
  unique: boolean;
  /** Access method: btree, hash, gin, gist, ... */
  method: string;
  /** Column names, with ` DESC` appended for descending ones. */
  columns: string[];
}

export interface DbForeignKey {
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

export interface DbTable {
  name: string;
  columns: DbColumn[];
  primaryKey: { name: string; columns: string[] } | null;
  /** Every index but the primary key's. */
  indexes: DbIndex[];
  foreignKeys: DbForeignKey[];
}

export interface DbEnum {
  name: string;
  values: string[];
}

export interface DbSchema {
  tables: DbTable[];
  enums: DbEnum[];
}

// ---------------------------------------------------------------------------------------------
// schema.prisma -> expected database shape (PostgreSQL connector rules)

const MAX_IDENTIFIER_LENGTH = 63;

/** Prisma's default constraint names: `<table>_<col>_<col>_<suffix>`, truncated to 63 bytes. */
export function prismaConstraintName(
  table: string,
  columns: string[],
  suffix: 'idx' | 'key' | 'fkey',
): string {
  const base = [table, ...columns].join('_');
  return `${truncate(base, MAX_IDENTIFIER_LENGTH - suffix.length - 1)}_${suffix}`;
}

export function prismaPrimaryKeyName(table: string): string {
  return `${truncate(table, MAX_IDENTIFIER_LENGTH - 5)}_pkey`;
}

function truncate(value: string, maxBytes: number): string {
  let out = value;
  while (Buffer.byteLength(out) > maxBytes) out = out.slice(0, -1);
  return out;
}

/** Quotes an identifier the way `format_type()` / `pg_get_expr()` print it. */
export function pgIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function pgString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Boolean: 'boolean',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

function withArgs(base: string, args: string[], suffix = ''): string {
  return args.length > 0 ? `${base}(${args.join(',')})${suffix}` : `${base}${suffix}`;
}

/** The column type `format_type()` reports for a field (scalar lists get `[]`). */
export function expectedColumnType(field: DmmfField, enumDbName?: string): string {
  let base: string;
  if (field.kind === 'enum') {
    base = pgIdent(enumDbName ?? field.type);
  } else if (field.nativeType) {
    const [name, args] = field.nativeType;
    const nativeTypes: Record<string, () => string> = {
      Text: () => 'text',
      Uuid: () => 'uuid',
      Xml: () => 'xml',
      Inet: () => 'inet',
      Citext: () => 'citext',
      Char: () => withArgs('character', args),
      VarChar: () => withArgs('character varying', args),
      Bit: () => withArgs('bit', args),
      VarBit: () => withArgs('bit varying', args),
      Integer: () => 'integer',
      SmallInt: () => 'smallint',
      Oid: () => 'oid',
      BigInt: () => 'bigint',
      DoublePrecision: () => 'double precision',
      Real: () => 'real',
      Decimal: () => withArgs('numeric', args),
      Money: () => 'money',
      Boolean: () => 'boolean',
      Timestamp: () => withArgs('timestamp', args, ' without time zone'),
      Timestamptz: () => withArgs('timestamp', args, ' with time zone'),
      Date: () => 'date',
      Time: () => withArgs('time', args, ' without time zone'),
      Timetz: () => withArgs('time', args, ' with time zone'),
      Json: () => 'json',
      JsonB: () => 'jsonb',
      ByteA: () => 'bytea',
    };
    const render = nativeTypes[name];
    base = render ? render() : name.toLowerCase();
  } else {
    base = SCALAR_TYPES[field.type] ?? field.type.toLowerCase();
  }
  return field.isList ? `${base}[]` : base;
}

/** Type name used in a `::cast` inside `pg_get_expr()` output (no typmod). */
function castName(columnType: string): string {
  if (columnType.startsWith('character varying')) return 'character varying';
  if (columnType.startsWith('character')) return 'bpchar';
  if (columnType.startsWith('numeric')) return 'numeric';
  return columnType;
}

/**
 * The column default `pg_get_expr()` prints for a field's @default, null when the database has
 * none (no @default, or one Prisma fills in client-side such as uuid() or cuid()), undefined
 * when this module does not predict the rendering (dbgenerated(), autoincrement(), date literals).
 */
export function expectedColumnDefault(
  field: DmmfField,
  columnType: string,
  enumDbValues?: Map<string, string>,
): string | null | undefined {
  if (!field.hasDefaultValue || field.default === undefined) return null;
  const value = field.default;
  if (typeof value === 'object' && !Array.isArray(value)) {
    switch (value.name) {
      case 'now':
        return 'CURRENT_TIMESTAMP';
      case 'uuid':
      case 'cuid':
      case 'nanoid':
      case 'ulid':
        return null;
      default:
        return undefined;
    }
  }
  const elementType = columnType.replace(/\[\]$/, '');
  const literal = (v: string | number | boolean): string | undefined => {
    if (field.kind === 'enum') {
      return `${pgString(enumDbValues?.get(String(v)) ?? String(v))}::${elementType}`;
    }
    switch (field.type) {
      case 'String':
        return `${pgString(String(v))}::${castName(elementType)}`;
      case 'Json':
        return `${pgString(String(v))}::${elementType}`;
      case 'Boolean':
        return String(v);
      case 'Int':
      case 'BigInt': {
        const n = String(v);
        return n.startsWith('-') ? `${pgString(n)}::${elementType}` : n;
      }
      case 'Float':
      case 'Decimal': {
        const n = String(v);
        return n.startsWith('-') ? undefined : n;
      }
      default:
        return undefined;
    }
  };
  if (Array.isArray(value)) {
    // Prisma writes `DEFAULT ARRAY[]::INTEGER[]`.
    if (value.length === 0) return `ARRAY[]::${columnType}`;
    const items = value.map(literal);
    if (items.some((i) => i === undefined)) return undefined;
    return `ARRAY[${items.join(', ')}]`;
  }
  return literal(value);
}

function referentialAction(
  value: string | undefined,
  fallback: ReferentialAction,
): ReferentialAction {
  switch (value) {
    case 'Cascade':
    case 'Restrict':
    case 'NoAction':
    case 'SetNull':
    case 'SetDefault':
      return value;
    case undefined:
      return fallback;
    default:
      throw new Error(`Unknown referential action ${value}`);
  }
}

/**
 * The database schema that Prisma Migrate would create for a datamodel on PostgreSQL.
 *
 * Not covered (not used by Flotilla's schema): implicit many-to-many join tables, views,
 * multiSchema, `@relation(map:)` foreign-key names (absent from the DMMF), composite types.
 */
export function expectedDbSchema(datamodel: DmmfDatamodel): DbSchema {
  const enumNames = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const enumValues = new Map(
    datamodel.enums.map((e) => [
      e.name,
      new Map(e.values.map((v) => [v.name, v.dbName ?? v.name])),
    ]),
  );
  const tableOf = new Map(datamodel.models.map((m) => [m.name, m.dbName ?? m.name]));
  const modelOf = new Map(datamodel.models.map((m) => [m.name, m]));
  const columnOf = (model: DmmfModel, fieldName: string): string => {
    const field = model.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`Model ${model.name} has no field ${fieldName}`);
    return field.dbName ?? field.name;
  };

  const tables = datamodel.models.map((model): DbTable => {
    const table = tableOf.get(model.name) ?? model.name;
    const columns = model.fields
      .filter((f) => f.kind === 'scalar' || f.kind === 'enum')
      .map((field): DbColumn => {
        const type = expectedColumnType(field, enumNames.get(field.type));
        return {
          name: field.dbName ?? field.name,
          type,
          // Prisma never puts NOT NULL on scalar-list columns.
          nullable: field.isList || !field.isRequired,
          default: expectedColumnDefault(field, type, enumValues.get(field.type)),
        };
      });

    let primaryKey: DbTable['primaryKey'] = null;
    const indexes: DbIndex[] = [];
    for (const index of datamodel.indexes.filter((i) => i.model === model.name)) {
      const cols = index.fields.map((f) => columnOf(model, f.name));
      const rendered = index.fields.map(
        (f, i) => `${cols[i] ?? f.name}${f.sortOrder === 'desc' ? ' DESC' : ''}`,
      );
      if (index.type === 'id') {
        primaryKey = { name: index.dbName ?? prismaPrimaryKeyName(table), columns: cols };
        continue;
      }
      if (index.type === 'fulltext') continue; // MySQL only
      indexes.push({
        name:
          index.dbName ??
          prismaConstraintName(table, cols, index.type === 'unique' ? 'key' : 'idx'),
        unique: index.type === 'unique',
        method: (index.algorithm ?? 'BTree').toLowerCase(),
        columns: rendered,
      });
    }

    const foreignKeys = model.fields
      .filter((f) => f.kind === 'object' && (f.relationFromFields?.length ?? 0) > 0)
      .map((field): DbForeignKey => {
        const target = modelOf.get(field.type);
        if (!target)
          throw new Error(
            `Relation ${model.name}.${field.name} targets unknown model ${field.type}`,
          );
        const fromFields = field.relationFromFields ?? [];
        const cols = fromFields.map((f) => columnOf(model, f));
        const anyRequired = fromFields.some(
          (f) => model.fields.find((x) => x.name === f)?.isRequired,
        );
        return {
          name: prismaConstraintName(table, cols, 'fkey'),
          columns: cols,
          referencedTable: tableOf.get(target.name) ?? target.name,
          referencedColumns: (field.relationToFields ?? []).map((f) => columnOf(target, f)),
          // Prisma's defaults: Restrict when the relation is required, SetNull when optional.
          onDelete: referentialAction(field.relationOnDelete, anyRequired ? 'Restrict' : 'SetNull'),
          onUpdate: referentialAction(field.relationOnUpdate, 'Cascade'),
        };
      });

    return { name: table, columns, primaryKey, indexes, foreignKeys };
  });

  const enums = datamodel.enums.map((e): DbEnum => ({
    name: e.dbName ?? e.name,
    values: e.values.map((v) => v.dbName ?? v.name),
  }));
  return { tables, enums };
}

/** Reads a schema file and returns the database shape it implies. */
export function expectedDbSchemaFromFile(schemaPath: string): DbSchema {
  return expectedDbSchema(getDmmfDatamodel(readFileSync(schemaPath, 'utf8')));
}

// ---------------------------------------------------------------------------------------------
// Comparison

function describeColumn(c: DbColumn): string {
  const def =
    c.default === undefined ? '' : c.default === null ? ' (no default)' : ` DEFAULT ${c.default}`;
  return `${c.type}${c.nullable ? ' NULL' : ' NOT NULL'}${def}`;
}

function describeIndex(i: DbIndex): string {
  return `${i.unique ? 'UNIQUE ' : ''}${i.method} (${i.columns.join(', ')})`;
}

function describeForeignKey(fk: DbForeignKey): string {
  return (
    `(${fk.columns.join(', ')}) -> ${fk.referencedTable}(${fk.referencedColumns.join(', ')}) ` +
    `ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`
  );
}

/**
 * Every difference between the expected and the actual database, one readable line each
 * (`table "x": column "y" is missing (expected text NOT NULL)`); empty when they match.
 * `ignoreTables` lists actual tables that are not models (e.g. `_prisma_migrations`).
 */
export function diffDbSchemas(
  expected: DbSchema,
  actual: DbSchema,
  ignoreTables: string[] = ['_prisma_migrations'],
): string[] {
  const out: string[] = [];

  const actualEnums = new Map(actual.enums.map((e) => [e.name, e]));
  for (const e of expected.enums) {
    const a = actualEnums.get(e.name);
    if (!a) out.push(`enum "${e.name}" is missing (expected values ${e.values.join(', ')})`);
    else if (a.values.join('\u0000') !== e.values.join('\u0000')) {
      out.push(
        `enum "${e.name}": values are [${a.values.join(', ')}], expected [${e.values.join(', ')}]`,
      );
    }
  }
  const expectedEnumNames = new Set(expected.enums.map((e) => e.name));
  for (const a of actual.enums) {
    if (!expectedEnumNames.has(a.name))
      out.push(`enum "${a.name}" exists but is not in schema.prisma`);
  }

  const actualTables = new Map(actual.tables.map((t) => [t.name, t]));
  for (const t of expected.tables) {
    const a = actualTables.get(t.name);
    if (!a) {
      out.push(`table "${t.name}" is missing`);
      continue;
    }
    const where = `table "${t.name}"`;

    const actualColumns = new Map(a.columns.map((c) => [c.name, c]));
    for (const c of t.columns) {
      const ac = actualColumns.get(c.name);
      if (!ac) {
        out.push(`${where}: column "${c.name}" is missing (expected ${describeColumn(c)})`);
        continue;
      }
      if (ac.type !== c.type)
        out.push(`${where}: column "${c.name}" has type ${ac.type}, expected ${c.type}`);
      if (ac.nullable !== c.nullable) {
        out.push(
          `${where}: column "${c.name}" is ${ac.nullable ? 'NULL' : 'NOT NULL'}, expected ${c.nullable ? 'NULL' : 'NOT NULL'}`,
        );
      }
      if (c.default !== undefined && ac.default !== c.default) {
        out.push(
          `${where}: column "${c.name}" has default ${ac.default ?? '(none)'}, expected ${c.default ?? '(none)'}`,
        );
      }
    }
    const expectedColumns = new Set(t.columns.map((c) => c.name));
    for (const ac of a.columns) {
      if (!expectedColumns.has(ac.name)) {
        out.push(
          `${where}: column "${ac.name}" (${describeColumn(ac)}) exists but is not in schema.prisma`,
        );
      }
    }
    // Column order is not compared: Prisma appends added columns whatever their place in the model.

    const pk = (p: DbTable['primaryKey']) => (p ? `${p.name} (${p.columns.join(', ')})` : 'none');
    if (pk(a.primaryKey) !== pk(t.primaryKey)) {
      out.push(`${where}: primary key is ${pk(a.primaryKey)}, expected ${pk(t.primaryKey)}`);
    }

    const actualIndexes = new Map(a.indexes.map((i) => [i.name, i]));
    for (const i of t.indexes) {
      const ai = actualIndexes.get(i.name);
      if (!ai) out.push(`${where}: index "${i.name}" is missing (expected ${describeIndex(i)})`);
      else if (describeIndex(ai) !== describeIndex(i)) {
        out.push(
          `${where}: index "${i.name}" is ${describeIndex(ai)}, expected ${describeIndex(i)}`,
        );
      }
    }
    const expectedIndexes = new Set(t.indexes.map((i) => i.name));
    for (const ai of a.indexes) {
      if (!expectedIndexes.has(ai.name)) {
        out.push(
          `${where}: index "${ai.name}" ${describeIndex(ai)} exists but is not in schema.prisma`,
        );
      }
    }

    const actualFks = new Map(a.foreignKeys.map((f) => [f.name, f]));
    for (const f of t.foreignKeys) {
      const af = actualFks.get(f.name);
      if (!af)
        out.push(
          `${where}: foreign key "${f.name}" is missing (expected ${describeForeignKey(f)})`,
        );
      else if (describeForeignKey(af) !== describeForeignKey(f)) {
        out.push(
          `${where}: foreign key "${f.name}" is ${describeForeignKey(af)}, expected ${describeForeignKey(f)}`,
        );
      }
    }
    const expectedFks = new Set(t.foreignKeys.map((f) => f.name));
    for (const af of a.foreignKeys) {
      if (!expectedFks.has(af.name)) {
        out.push(
          `${where}: foreign key "${af.name}" ${describeForeignKey(af)} exists but is not in schema.prisma`,
        );
      }
    }
  }
  const expectedTables = new Set([...expected.tables.map((t) => t.name), ...ignoreTables]);
  for (const a of actual.tables) {
    if (!expectedTables.has(a.name))
      out.push(`table "${a.name}" exists but is not in schema.prisma`);
  }
  return out;
}
