/**
 * The constraints a memory database enforces: what `Ddl.ddl` declares for a model (NOT NULL columns,
 * primary and unique keys, foreign keys with their `on delete` action) and the columns the database
 * numbers itself (integer identities), as plain data. `fromModel` derives them the way `Ddl` writes its
 * tables, so a write plan that PostgreSQL refuses is refused by the memory interpreter with the same
 * error kind; a test reads the catalog of a database built by `Ddl.ddl` and compares.
 *
 * Constraints are data, not derived from rows: a test that loads rows with a dangling key into
 * PostgreSQL without that foreign key describes the same database by leaving the key out.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as SchemaError from '../../error/SchemaError.js'
import * as Column from '../../schema/Column.js'
import type { AnyModel, Tables as ModelTables } from '../../schema/Model.js'
import type { Table } from '../../schema/Table.js'
import * as Ddl from '../../sql/Ddl.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How the database numbers a column an insert leaves out: an `integer` identity (JavaScript numbers,
 * as postgres.js returns int4) or a `bigint` one (numeric text, as postgres.js returns int8).
 *
 * @category model
 * @since 0.1.0
 */
export type Sequence = 'integer' | 'bigint'

/**
 * One table's constraints.
 *
 * @category model
 * @since 0.1.0
 */
export interface TableConstraints {
  /** Every column of the table (an insert or update naming another is `UndefinedColumn`). */
  readonly columns: ReadonlyArray<string>
  readonly notNull: ReadonlyArray<string>
  readonly primaryKey: ReadonlyArray<string>
  /** Unique keys besides the primary key (NULL never conflicts, as in PostgreSQL). */
  readonly unique: ReadonlyArray<ReadonlyArray<string>>
  /** Columns numbered by a per-table sequence when an insert leaves them out. */
  readonly sequences: ReadonlyMap<string, Sequence>
}

/**
 * The constraints of a memory database: per source table, and the foreign keys between them.
 *
 * @category model
 * @since 0.1.0
 */
export interface Constraints {
  readonly tables: ReadonlyMap<string, TableConstraints>
  readonly foreignKeys: ReadonlyArray<Ddl.ForeignKey>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * No constraints: tables are plain lists of rows (the memory interpreter's behaviour without a model).
 *
 * @category constructors
 * @since 0.1.0
 */
export const none: Constraints = Object.freeze({ tables: new Map(), foreignKeys: [] })

const sequenceOf = (c: Column.Column<unknown>): Sequence | null => {
  if (!c.generated) return null
  const t = Column.baseType(c.sqlType)?.toLowerCase()
  return t === 'integer' || t === 'int' || t === 'int4' || t === 'smallint' || t === 'int2'
    ? 'integer'
    : t === 'bigint' || t === 'int8'
      ? 'bigint'
      : null
}

const ofTable = (table: Table): TableConstraints => {
  const columns = [...table.columns]
  return {
    columns: columns.map(([n]) => n),
    // A column with a database default the memory interpreter cannot compute (anything but an integer
    // identity) is left null there; checking it would refuse what PostgreSQL fills in.
    notNull: columns
      .filter(([, c]) => !c.nullable && (!c.generated || sequenceOf(c) !== null))
      .map(([n]) => n),
    primaryKey: table.primaryKey,
    unique: table.unique,
    sequences: new Map(
      columns.flatMap(([n, c]) => (sequenceOf(c) === null ? [] : [[n, sequenceOf(c) as Sequence]])),
    ),
  }
}

/**
 * The constraints `Ddl.ddl` creates for a model: a table per schema source and per custom source (the
 * target's columns), a join table per many-to-many given by name (its two keys, NOT NULL, together the
 * primary key), and the foreign keys of `Ddl.foreignKeys` between tables it creates.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Schema } from 'quiver-sql'
 * import * as Constraints from './Constraints.js'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const c = Constraints.fromModel(Schema.modelOrThrow({ user }, {}))
 * assert.deepStrictEqual(E.map((x: Constraints.Constraints) => x.tables.get('users')?.notNull)(c), E.right(['id', 'name']))
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromModel = (m: AnyModel): E.Either<SchemaError.SchemaError, Constraints> => {
  // Ddl refuses a model it cannot write (a column without a SQL type); so does this.
  const ddl = Ddl.ddl(m)
  if (E.isLeft(ddl)) return ddl
  const tables = m.tables as ModelTables
  const out = new Map<string, TableConstraints>()
  for (const table of Object.values(tables)) if (!out.has(table.source)) out.set(table.source, ofTable(table))
  for (const [schema, assocs] of m.associations)
    for (const a of assocs.values()) {
      if (a._tag === 'Through') continue
      const target = tables[a.target]
      if (target !== undefined && !out.has(a.source)) out.set(a.source, ofTable(target))
      if (a._tag !== 'ManyToMany' || a.joinSchema !== null || out.has(a.joinTable)) continue
      const keys = [a.joinOwnerKey, a.joinRelatedKey].filter(
        (_, i) =>
          (i === 0 ? tables[schema]?.columns.get(a.ownerKey) : target?.columns.get(a.relatedKey)) !==
          undefined,
      )
      const unique = [...new Set(keys)]
      out.set(a.joinTable, {
        columns: unique,
        notNull: unique,
        primaryKey: unique,
        unique: [],
        sequences: new Map(),
      })
    }
  const foreignKeys = Ddl.foreignKeys(m).filter(fk => out.has(fk.table) && out.has(fk.references))
  return E.right({ tables: out, foreignKeys })
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The keys of a table whose values must be unique: its primary key, then its unique keys.
 *
 * @category utils
 * @since 0.1.0
 */
export const keysOf = (t: TableConstraints): ReadonlyArray<ReadonlyArray<string>> =>
  t.primaryKey.length > 0 ? [t.primaryKey, ...t.unique] : t.unique
