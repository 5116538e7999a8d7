/**
 * DDL from a model: the `create table` statements (and indexes, and deferred foreign keys) that give a
 * database the shape the model describes. Tables are emitted in dependency order so that a foreign key
 * can be written inline; a self-reference is inline too, and a key that closes a cycle between tables
 * is added afterwards with `alter table`.
 *
 * What is created:
 * - one table per schema source, with every column's SQL type, `not null` unless the column is
 *   nullable, the primary key and the unique keys the table declares;
 * - one table per custom source (`source` option) that is no schema's table, with the target schema's
 *   columns;
 * - one table per many-to-many join table given by name: the two join keys, typed like the columns they
 *   reference (an identity is not repeated), with a primary key on both;
 * - a foreign key for every key an association implies and that references its table's whole primary
 *   key (anything else would need a unique constraint the model does not declare, so no constraint is
 *   written). Its `on delete` comes from the association's `onDelete`, as Ecto recommends: doing the
 *   delete in the database is the database's job (`delete_all` → `cascade`, `nilify_all` → `set null`,
 *   a many-to-many `delete_all` → `cascade` on the join row). When associations disagree on the same
 *   key, `cascade` wins over `set null`, which wins over no action;
 * - an index on every foreign-key column that does not lead its table's primary key.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as SchemaError from '../error/SchemaError.js'
import type { OnDelete } from '../schema/Association.js'
import * as Column from '../schema/Column.js'
import type { AnyModel, Resolved, Tables } from '../schema/Model.js'
import type { Table } from '../schema/Table.js'
import { ident } from './Compile.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a foreign key does when the referenced row is deleted.
 *
 * @category model
 * @since 0.1.0
 */
export type OnDeleteAction = 'no action' | 'set null' | 'cascade'

/**
 * A foreign key the model implies.
 *
 * @category model
 * @since 0.1.0
 */
export interface ForeignKey {
  readonly table: string
  readonly column: string
  readonly references: string
  readonly referencedColumn: string
  readonly onDelete: OnDeleteAction
}

interface TableSpec {
  readonly name: string
  /** The schema whose columns these are (for error messages), or the join table's name. */
  readonly origin: string
  readonly columns: ReadonlyArray<readonly [string, string, boolean]>
  readonly primaryKey: ReadonlyArray<string>
  readonly unique: ReadonlyArray<ReadonlyArray<string>>
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const strength: Readonly<Record<OnDeleteAction, number>> = { 'no action': 0, 'set null': 1, cascade: 2 }

// The type a referencing column takes: the referenced column's type without its identity or default.
const keyType = (sqlType: string): string => Column.baseType(sqlType) ?? sqlType

const sqlTypeOf = (
  schema: string,
  name: string,
  c: Column.Column<unknown>,
): E.Either<SchemaError.SchemaError, string> =>
  c.sqlType === null
    ? E.left(
        SchemaError.make(
          schema,
          null,
          `columns.${name}`,
          `column '${name}' has no SQL type (a bare io-ts codec); give it one with Column.custom(codec, sqlType) to generate DDL`,
        ),
      )
    : E.right(c.sqlType)

const specOf = (table: Table, name: string): E.Either<SchemaError.SchemaError, TableSpec> => {
  const columns: Array<readonly [string, string, boolean]> = []
  for (const [col, c] of table.columns) {
    const t = sqlTypeOf(table.name, col, c)
    if (E.isLeft(t)) return t
    columns.push([col, t.right, c.nullable])
  }
  return E.right({ name, origin: table.name, columns, primaryKey: table.primaryKey, unique: table.unique })
}

/**
 * The foreign keys a model implies, merged per referencing column (see the module doc).
 *
 * @example
 * import { Schema, Column, Ddl } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial })
 * const post = Schema.table('post', 'posts', { id: Column.serial, user_id: Column.integer })
 * const M = Schema.modelOrThrow({ user, post }, { user: { posts: Schema.hasMany('post', { onDelete: 'delete_all' }) } })
 * assert.deepStrictEqual(Ddl.foreignKeys(M), [
 *   { table: 'posts', column: 'user_id', references: 'users', referencedColumn: 'id', onDelete: 'cascade' },
 * ])
 *
 * @category utils
 * @since 0.1.0
 */
export const foreignKeys = (m: AnyModel): ReadonlyArray<ForeignKey> => {
  try {
    return foreignKeysOf(m)
  } catch {
    // Not a model `Schema.model` built (untyped input): it implies no key.
    return []
  }
}

type Add = (
  table: string,
  column: string,
  target: Table | undefined,
  referencedColumn: string,
  onDelete: OnDeleteAction,
) => void

// What a foreign key of an association does on delete, from its `onDelete`. A value outside the union
// (a model from untyped input) implies no action.
const actions: Readonly<Record<OnDelete, OnDeleteAction>> = {
  nothing: 'no action',
  nilify_all: 'set null',
  delete_all: 'cascade',
}
const action = (onDelete: OnDelete): OnDeleteAction =>
  Object.hasOwn(actions, onDelete) ? actions[onDelete] : 'no action'

// The keys each kind of association implies, given to `add`.
const implied: {
  readonly [K in Resolved['_tag']]: (
    // `Extract` would miss `ResolvedHas`, whose tag is 'HasMany' | 'HasOne'
    a: Resolved & { readonly _tag: K },
    owner: Table | undefined,
    tables: Tables,
    add: Add,
  ) => void
} = {
  HasMany: (a, owner, _, add) => add(a.source, a.relatedKey, owner, a.ownerKey, action(a.onDelete)),
  HasOne: (a, owner, _, add) => add(a.source, a.relatedKey, owner, a.ownerKey, action(a.onDelete)),
  BelongsTo: (a, owner, tables, add) => {
    if (owner !== undefined) add(owner.source, a.ownerKey, tables[a.target], a.relatedKey, 'no action')
  },
  ManyToMany: (a, owner, tables, add) => {
    add(a.joinTable, a.joinOwnerKey, owner, a.ownerKey, action(a.onDelete))
    add(a.joinTable, a.joinRelatedKey, tables[a.target], a.relatedKey, 'no action')
  },
  // a through is read-only: its hops imply their own keys
  Through: () => undefined,
}

const foreignKeysOf = (m: AnyModel): ReadonlyArray<ForeignKey> => {
  const tables = m.tables as Tables
  const out = new Map<string, ForeignKey>()
  const conflicted = new Set<string>()
  const add: Add = (table, column, target, referencedColumn, onDelete) => {
    if (target === undefined) return
    // Only a reference to the whole (single-column) primary key is a valid foreign key as declared.
    if (target.primaryKey.length !== 1 || target.primaryKey[0] !== referencedColumn) return
    const key = `${table}\u0000${column}`
    if (conflicted.has(key)) return
    const prev = out.get(key)
    if (
      prev !== undefined &&
      (prev.references !== target.source || prev.referencedColumn !== referencedColumn)
    ) {
      // One column pointing at two tables is polymorphic: no single constraint is implied.
      out.delete(key)
      conflicted.add(key)
      return
    }
    const action =
      prev !== undefined && strength[prev.onDelete] > strength[onDelete] ? prev.onDelete : onDelete
    out.set(key, { table, column, references: target.source, referencedColumn, onDelete: action })
  }
  for (const [schema, assocs] of m.associations) {
    const owner = tables[schema]
    for (const a of assocs.values())
      (implied[a._tag] as (a: Resolved, owner: Table | undefined, tables: Tables, add: Add) => void)(
        a,
        owner,
        tables,
        add,
      )
  }
  return [...out.values()]
}

const tableSpecs = (m: AnyModel): E.Either<SchemaError.SchemaError, ReadonlyArray<TableSpec>> => {
  const tables = m.tables as Tables
  const specs = new Map<string, TableSpec>()
  for (const table of Object.values(tables)) {
    if (specs.has(table.source)) continue
    const s = specOf(table, table.source)
    if (E.isLeft(s)) return s
    specs.set(table.source, s.right)
  }
  const joins = new Map<string, Array<readonly [string, string, boolean]>>()
  for (const [schema, assocs] of m.associations) {
    for (const a of assocs.values()) {
      if (a._tag === 'Through') continue
      const target = tables[a.target]
      if (target !== undefined && !specs.has(a.source)) {
        const s = specOf(target, a.source)
        if (E.isLeft(s)) return s
        specs.set(a.source, s.right)
      }
      if (a._tag !== 'ManyToMany' || a.joinSchema !== null || specs.has(a.joinTable)) continue
      const cols = joins.get(a.joinTable) ?? []
      for (const [joinKey, refSchema, refColumn] of [
        [a.joinOwnerKey, schema, a.ownerKey],
        [a.joinRelatedKey, a.target, a.relatedKey],
      ] as const) {
        const c = tables[refSchema]?.columns.get(refColumn)
        if (c === undefined || cols.some(([n]) => n === joinKey)) continue
        const t = sqlTypeOf(refSchema, refColumn, c)
        if (E.isLeft(t)) return t
        cols.push([joinKey, keyType(t.right), false])
      }
      joins.set(a.joinTable, cols)
    }
  }
  for (const [name, cols] of joins)
    specs.set(name, { name, origin: name, columns: cols, primaryKey: cols.map(([n]) => n), unique: [] })
  return E.right([...specs.values()])
}

// Keywords come from this table, never from a field's own text.
const onDeleteClauses: Readonly<Record<OnDeleteAction, string>> = {
  'no action': '',
  'set null': ' on delete set null',
  cascade: ' on delete cascade',
}

const fkClause = (fk: ForeignKey): string =>
  `references ${ident(fk.references)} (${ident(fk.referencedColumn)})${onDeleteClauses[fk.onDelete]}`

// Depth-first order over the references: a table comes after every table it references, except along
// a cycle, where the back edge is left for `alter table`.
const order = (specs: ReadonlyArray<TableSpec>, fks: ReadonlyArray<ForeignKey>): ReadonlyArray<TableSpec> => {
  const byName = new Map(specs.map(s => [s.name, s]))
  const done = new Set<string>()
  const visiting = new Set<string>()
  const out: Array<TableSpec> = []
  const visit = (s: TableSpec) => {
    if (done.has(s.name) || visiting.has(s.name)) return
    visiting.add(s.name)
    for (const fk of fks)
      if (fk.table === s.name && fk.references !== s.name) {
        const t = byName.get(fk.references)
        if (t !== undefined) visit(t)
      }
    visiting.delete(s.name)
    done.add(s.name)
    out.push(s)
  }
  specs.forEach(visit)
  return out
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The statements that create the model's tables, foreign keys and indexes, in an order PostgreSQL
 * accepts. A column without a SQL type is a `SchemaError` naming its schema and column.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Schema, Column, Ddl } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const post = Schema.table('post', 'posts', { id: Column.serial, user_id: Column.integer })
 * const M = Schema.modelOrThrow({ user, post }, { user: { posts: Schema.hasMany('post', { onDelete: 'delete_all' }) } })
 * assert.deepStrictEqual(
 *   Ddl.ddl(M),
 *   E.right([
 *     'create table "users" ("id" integer generated by default as identity not null, "name" text not null, primary key ("id"))',
 *     'create table "posts" ("id" integer generated by default as identity not null, "user_id" integer not null references "users" ("id") on delete cascade, primary key ("id"))',
 *     'create index "posts_user_id_index" on "posts" ("user_id")',
 *   ]),
 * )
 *
 * @category destructors
 * @since 0.1.0
 */
export const ddl = (m: AnyModel): E.Either<SchemaError.SchemaError, ReadonlyArray<string>> => {
  try {
    return statements(m)
  } catch (e) {
    return E.left(
      SchemaError.make(
        '(model)',
        null,
        null,
        `expected a model built by Schema.model: ${SchemaError.thrown(e)}`,
      ),
    )
  }
}

const statements = (m: AnyModel): E.Either<SchemaError.SchemaError, ReadonlyArray<string>> => {
  const specs = tableSpecs(m)
  if (E.isLeft(specs)) return specs
  const names = new Set(specs.right.map(s => s.name))
  const fks = foreignKeys(m).filter(fk => names.has(fk.table) && names.has(fk.references))
  const created = new Set<string>()
  const creates: Array<string> = []
  const deferred: Array<string> = []
  for (const s of order(specs.right, fks)) {
    created.add(s.name)
    const cols = s.columns.map(([name, type, nullable]) => {
      const fk = fks.find(f => f.table === s.name && f.column === name)
      const inline = fk !== undefined && created.has(fk.references)
      if (fk !== undefined && !inline)
        deferred.push(`alter table ${ident(s.name)} add foreign key (${ident(name)}) ${fkClause(fk)}`)
      return `${ident(name)} ${type}${nullable ? '' : ' not null'}${inline ? ` ${fkClause(fk)}` : ''}`
    })
    if (s.primaryKey.length > 0) cols.push(`primary key (${s.primaryKey.map(ident).join(', ')})`)
    for (const u of s.unique) cols.push(`unique (${u.map(ident).join(', ')})`)
    creates.push(`create table ${ident(s.name)} (${cols.join(', ')})`)
  }
  const indexes = order(specs.right, fks).flatMap(s =>
    s.columns
      .flatMap(([name]) => fks.filter(fk => fk.table === s.name && fk.column === name))
      .filter(fk => s.primaryKey[0] !== fk.column)
      .map(
        fk =>
          `create index ${ident(`${s.name}_${fk.column}_index`)} on ${ident(s.name)} (${ident(fk.column)})`,
      ),
  )
  return E.right([...creates, ...deferred, ...indexes])
}
