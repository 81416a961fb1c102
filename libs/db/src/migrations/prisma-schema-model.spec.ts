import {
  diffDbSchemas,
  expectedDbSchema,
  getDmmfDatamodel,
  prismaConstraintName,
  type DbSchema,
} from './prisma-schema-model';

const schema = `
datasource db {
  provider = "postgresql"
}

enum Colour {
  red  @map("RED")
  blue

  @@map("colour")
}

enum Status {
  on
  off
}

model Parent {
  id       String   @id @db.Uuid
  name     String   @unique
  code     String   @default("it's") @db.VarChar(20)
  count    Int      @default(-1)
  big      BigInt   @default(5)
  ratio    Float    @default(2.5)
  price    Decimal  @db.Decimal(10, 2)
  active   Boolean  @default(true)
  meta     Json     @default("{}") @db.JsonB
  raw      Json?    @db.Json
  tags     String[] @default(["a", "b"])
  empty    Int[]    @default([])
  colour   Colour   @default(red)
  status   Status?
  token    String   @default(uuid())
  at       DateTime @default(now()) @map("created_at") @db.Timestamptz(3)
  plain    DateTime
  blob     Bytes?
  children Child[]

  @@index([name, id(sort: Desc)])
  @@index([count], map: "custom_count_idx", type: Hash)
  @@unique([code, count])
  @@map("parents")
}

model Child {
  a        Int
  b        Int
  parentId String  @map("parent_id") @db.Uuid
  otherId  String? @map("other_id") @db.Uuid
  parent   Parent  @relation(fields: [parentId], references: [id])
  other    Other?  @relation(fields: [otherId], references: [id], onDelete: Cascade, onUpdate: Restrict)

  @@id([a, b])
}

model Other {
  id       String @id @db.Uuid
  children Child[]
}
`;

describe('getDmmfDatamodel', () => {
  it('parses a schema with Prisma’s own parser', () => {
    const dm = getDmmfDatamodel(schema);
    expect(dm.models.map((m) => m.name)).toEqual(['Parent', 'Child', 'Other']);
    expect(dm.enums.map((e) => e.name)).toEqual(['Colour', 'Status']);
  });

  it('reports Prisma validation errors', () => {
    expect(() => getDmmfDatamodel('model A {\n  id Int @id\n  b NoSuchType\n}\n')).toThrow(
      /Invalid Prisma schema: .*NoSuchType/s,
    );
  });
});

describe('prismaConstraintName', () => {
  it('joins table and columns and truncates to 63 bytes keeping the suffix', () => {
    expect(prismaConstraintName('events', ['project_id', 'id'], 'idx')).toBe(
      'events_project_id_id_idx',
    );
    const long = prismaConstraintName('a'.repeat(40), ['b'.repeat(40)], 'fkey');
    expect(long).toHaveLength(63);
    expect(long.endsWith('_fkey')).toBe(true);
  });
});

describe('expectedDbSchema', () => {
  const expected = expectedDbSchema(getDmmfDatamodel(schema));
  const parents = expected.tables.find((t) => t.name === 'parents')!;
  const child = expected.tables.find((t) => t.name === 'Child')!;
  const column = (name: string) => parents.columns.find((c) => c.name === name);

  it('maps enums with @map/@@map', () => {
    expect(expected.enums).toEqual([
      { name: 'colour', values: ['RED', 'blue'] },
      { name: 'Status', values: ['on', 'off'] },
    ]);
  });

  it('maps tables and columns with @@map/@map, skipping relation fields', () => {
    expect(expected.tables.map((t) => t.name)).toEqual(['parents', 'Child', 'Other']);
    expect(child.columns.map((c) => c.name)).toEqual(['a', 'b', 'parent_id', 'other_id']);
    expect(parents.columns.map((c) => c.name)).not.toContain('children');
  });

  it('derives PostgreSQL types, nullability and defaults as format_type/pg_get_expr print them', () => {
    expect(parents.columns).toEqual([
      { name: 'id', type: 'uuid', nullable: false, default: null },
      { name: 'name', type: 'text', nullable: false, default: null },
      {
        name: 'code',
        type: 'character varying(20)',
        nullable: false,
        default: `'it''s'::character varying`,
      },
      { name: 'count', type: 'integer', nullable: false, default: `'-1'::integer` },
      { name: 'big', type: 'bigint', nullable: false, default: '5' },
      { name: 'ratio', type: 'double precision', nullable: false, default: '2.5' },
      { name: 'price', type: 'numeric(10,2)', nullable: false, default: null },
      { name: 'active', type: 'boolean', nullable: false, default: 'true' },
      { name: 'meta', type: 'jsonb', nullable: false, default: `'{}'::jsonb` },
      { name: 'raw', type: 'json', nullable: true, default: null },
      { name: 'tags', type: 'text[]', nullable: true, default: `ARRAY['a'::text, 'b'::text]` },
      { name: 'empty', type: 'integer[]', nullable: true, default: 'ARRAY[]::integer[]' },
      { name: 'colour', type: 'colour', nullable: false, default: `'RED'::colour` },
      { name: 'status', type: '"Status"', nullable: true, default: null },
      { name: 'token', type: 'text', nullable: false, default: null },
      {
        name: 'created_at',
        type: 'timestamp(3) with time zone',
        nullable: false,
        default: 'CURRENT_TIMESTAMP',
      },
      { name: 'plain', type: 'timestamp(3) without time zone', nullable: false, default: null },
      { name: 'blob', type: 'bytea', nullable: true, default: null },
    ]);
    expect(column('id')).toBeDefined();
  });

  it('names primary keys and indexes like Prisma, with DESC columns and custom names', () => {
    expect(parents.primaryKey).toEqual({ name: 'parents_pkey', columns: ['id'] });
    expect(child.primaryKey).toEqual({ name: 'Child_pkey', columns: ['a', 'b'] });
    expect(parents.indexes).toEqual([
      { name: 'parents_name_key', unique: true, method: 'btree', columns: ['name'] },
      { name: 'parents_name_id_idx', unique: false, method: 'btree', columns: ['name', 'id DESC'] },
      { name: 'custom_count_idx', unique: false, method: 'hash', columns: ['count'] },
      { name: 'parents_code_count_key', unique: true, method: 'btree', columns: ['code', 'count'] },
    ]);
  });

  it('derives foreign keys with explicit and default referential actions', () => {
    expect(child.foreignKeys).toEqual([
      {
        name: 'Child_parent_id_fkey',
        columns: ['parent_id'],
        referencedTable: 'parents',
        referencedColumns: ['id'],
        onDelete: 'Restrict',
        onUpdate: 'Cascade',
      },
      {
        name: 'Child_other_id_fkey',
        columns: ['other_id'],
        referencedTable: 'Other',
        referencedColumns: ['id'],
        onDelete: 'Cascade',
        onUpdate: 'Restrict',
      },
    ]);
  });
});

describe('diffDbSchemas', () => {
  const expected = expectedDbSchema(getDmmfDatamodel(schema));
  const clone = (s: DbSchema): DbSchema => structuredClone(s);

  it('finds nothing when the schemas match (ignoring _prisma_migrations)', () => {
    const actual = clone(expected);
    actual.tables.push({
      name: '_prisma_migrations',
      columns: [],
      primaryKey: null,
      indexes: [],
      foreignKeys: [],
    });
    expect(diffDbSchemas(expected, actual)).toEqual([]);
  });

  it('explains each difference on its own line', () => {
    const actual = clone(expected);
    const parents = actual.tables.find((t) => t.name === 'parents')!;
    parents.columns = parents.columns.filter((c) => c.name !== 'name');
    parents.columns.find((c) => c.name === 'blob')!.nullable = false;
    parents.columns.find((c) => c.name === 'active')!.default = 'false';
    parents.columns.push({ name: 'extra', type: 'text', nullable: true, default: null });
    parents.indexes = parents.indexes.filter((i) => i.name !== 'parents_name_key');
    parents.indexes.find((i) => i.name === 'parents_name_id_idx')!.columns = ['name', 'id'];
    const child = actual.tables.find((t) => t.name === 'Child')!;
    child.foreignKeys[1]!.onDelete = 'SetNull';
    actual.enums[1]!.values = ['on'];
    actual.tables = actual.tables.filter((t) => t.name !== 'Other');

    expect(diffDbSchemas(expected, actual)).toEqual([
      'enum "Status": values are [on], expected [on, off]',
      'table "parents": column "name" is missing (expected text NOT NULL (no default))',
      'table "parents": column "active" has default false, expected true',
      'table "parents": column "blob" is NOT NULL, expected NULL',
      'table "parents": column "extra" (text NULL (no default)) exists but is not in schema.prisma',
      'table "parents": index "parents_name_key" is missing (expected UNIQUE btree (name))',
      'table "parents": index "parents_name_id_idx" is btree (name, id), expected btree (name, id DESC)',
      'table "Child": foreign key "Child_other_id_fkey" is (other_id) -> Other(id) ON DELETE SetNull ON UPDATE Restrict, expected (other_id) -> Other(id) ON DELETE Cascade ON UPDATE Restrict',
      'table "Other" is missing',
    ]);
  });
});
