/**
 * Tables as values: a singular schema name (which drives default foreign keys, as an Ecto schema
 * module's name does), the source table in the database, a column per field, the primary key and the
 * other unique keys. `table` never throws: input it cannot use (a column that is no codec, a primary
 * key that is no column, an identifier PostgreSQL would truncate) is recorded on the table as
 * `problems`, and `model` reports the first of them as its `Left`, so a table stays a plain value that
 * typed code can name while untyped input still ends in a `SchemaError`.
 *
 * @since 0.1.0
 */
import * as SchemaError from '../error/SchemaError.js'
import { show } from '../error/Show.js'
import * as Brand from './Brand.js'
import * as Column from './Column.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The columns of a table by field name: a `Column` or a bare io-ts codec each.
 *
 * @category model
 * @since 0.1.0
 */
export type Columns = Readonly<Record<string, Column.ColumnInput>>

/**
 * A table of the model: its schema name `N`, the SQL table it reads (`source`), its columns and options (primary key...). Built by `table`.
 *
 * @category model
 * @since 0.1.0
 */
export interface Table<N extends string = string, C extends Columns = Columns> {
  readonly _tag: 'Table'
  readonly name: N
  readonly source: string
  /** The columns as given (codecs or columns), kept for typing. */
  readonly input: C
  /** Every usable column normalised to a `Column`, in definition order. */
  readonly columns: ReadonlyMap<string, Column.Column<unknown>>
  readonly primaryKey: ReadonlyArray<string>
  /** The unique keys besides the primary key, each a list of columns. */
  readonly unique: ReadonlyArray<ReadonlyArray<string>>
  /**
   * The optimistic lock column (Ecto's `optimistic_lock`), or `null`: an integer column that updates and
   * deletes check (`where "lock_version" = $old`) and updates bump, so a row changed meanwhile is a
   * `StaleEntry` error instead of a lost update.
   */
  readonly optimisticLock: string | null
  /** What is wrong with the definition, in the order found; `model` rejects a table that has any. */
  readonly problems: ReadonlyArray<SchemaError.SchemaError>
}

/**
 * The row type of a table: one readonly field per column.
 *
 * @category model
 * @since 0.1.0
 */
export type RowOf<T> =
  T extends Table<string, infer C> ? { readonly [K in keyof C]: Column.TypeOf<C[K]> } : never

/**
 * The options of `table` (the primary key and the other table-level settings).
 *
 * @category model
 * @since 0.1.0
 */
export interface TableOptions<C extends Columns> {
  /** The primary key column(s); default `id`. Composite keys are allowed. An empty array means none. */
  readonly primaryKey?: (keyof C & string) | ReadonlyArray<keyof C & string>
  /**
   * Unique keys besides the primary key: a column, or a list of columns for a composite key. A
   * `references` (or a belongs-to target key) must name the primary key or one of these; `ddl` writes
   * them as unique constraints.
   */
  readonly unique?: ReadonlyArray<(keyof C & string) | ReadonlyArray<keyof C & string>>
  /**
   * The column that versions each row for optimistic locking: a NOT NULL integer column outside the
   * primary key. `Write.update`, `Write.delete` and the updates and deletes of change plans check it
   * (`where "lock_version" = $old`), updates set it to `old + 1`, an insert that leaves it out starts
   * it at 1, and a row whose version moved on is a `StaleEntry` error naming the schema.
   */
  readonly optimisticLock?: keyof C & string
}

// -------------------------------------------------------------------------------------
// utils: identifiers
// -------------------------------------------------------------------------------------

/**
 * PostgreSQL's identifier length, in bytes: a longer name is silently truncated, so two names that
 * differ only after it would be one table or column.
 *
 * @category utils
 * @since 0.1.0
 */
export const maxIdentifierBytes = 63

const encoder = new TextEncoder()

/**
 * Why a name cannot be a PostgreSQL identifier as given, or `null` when it can. A NUL byte cannot
 * cross the wire protocol at all (the statement fails with 08P01), and a name over 63 UTF-8 bytes is
 * truncated by the server.
 *
 * @category utils
 * @since 0.1.0
 */
export const identifierProblem = (name: unknown, what: string): string | null => {
  if (typeof name !== 'string' || name === '')
    return `expected a ${what} (a non-empty string), got ${show(name)}`
  if (name.includes('\u0000')) return `${what} ${show(name)} contains a NUL byte`
  // A UTF-16 unit is at most 3 bytes of UTF-8: a short name needs no encoding (names are checked for
  // every output of every projection built).
  if (name.length * 3 <= maxIdentifierBytes) return null
  const bytes = encoder.encode(name).length
  if (bytes > maxIdentifierBytes)
    return `${what} ${show(name)} is ${bytes} bytes long; PostgreSQL truncates identifiers to ${maxIdentifierBytes} bytes`
  return null
}

/**
 * `identifierProblem` for a table name: a dot is refused too, since a name such as `public.comments`
 * would be one quoted identifier (schema prefixes are not supported yet), not a table in a schema.
 *
 * @category utils
 * @since 0.1.0
 */
export const tableNameProblem = (name: unknown, what: string): string | null =>
  identifierProblem(name, what) ??
  ((name as string).includes('.')
    ? `${what} ${show(name)} contains a dot; schema-qualified names are not supported (the whole name would be one quoted identifier)`
    : null)

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

const keyList = (u: unknown): ReadonlyArray<string> | null =>
  typeof u === 'string'
    ? [u]
    : Array.isArray(u) && u.length > 0 && u.every(k => typeof k === 'string')
      ? (u as ReadonlyArray<string>)
      : null

/**
 * A table of the model: `name` is the schema's name in the model (what associations point at), `source`
 * the table in the database, `columns` the columns by name. The primary key is `id` unless the options
 * name another, possibly composite; `unique` lists unique column sets; `optimisticLock` names the
 * version column of optimistic locking. Problems found here (a bad
 * identifier, a key column that does not exist) are kept in `problems` and reported by `model`.
 *
 * @example
 * import { Schema, Column } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const member = Schema.table(
 *   'member', 'members',
 *   { tenant_id: Column.integer, id: Column.integer, email: Column.text },
 *   { primaryKey: ['tenant_id', 'id'], unique: ['email'] },
 * )
 * assert.deepStrictEqual(member.problems, [])
 * // Optimistic locking: updates and deletes check the version, updates bump it.
 * const doc = Schema.table('doc', 'docs', { id: Column.serial, lock_version: Column.integer }, { optimisticLock: 'lock_version' })
 * assert.strictEqual(doc.optimisticLock, 'lock_version')
 *
 * @category constructors
 * @since 0.1.0
 */
export const table = <const N extends string, const C extends Columns>(
  name: N,
  source: string,
  columns: C,
  options: TableOptions<C> = {},
): Table<N, C> => {
  const schema = typeof name === 'string' ? name : show(name)
  const problems: Array<SchemaError.SchemaError> = []
  const problem = (option: string | null, reason: string) =>
    problems.push(SchemaError.make(schema, null, option, reason))
  const normalised = new Map<string, Column.Column<unknown>>()
  const pk: Array<string> = []
  const unique: Array<ReadonlyArray<string>> = []
  const lock: Array<string> = []
  // Untyped input may be a proxy or have getters that throw: what cannot be read is a problem too.
  try {
    validate(name, source, columns, options, problem, normalised, pk, unique, lock)
  } catch (e) {
    problem(null, `the table definition could not be read: ${SchemaError.thrown(e)}`)
  }
  return Brand.make({
    _tag: 'Table' as const,
    name,
    source,
    input: columns,
    columns: normalised,
    primaryKey: Object.freeze(pk),
    unique: Object.freeze(unique),
    optimisticLock: lock[0] ?? null,
    problems: Object.freeze(problems),
  })
}

const validate = (
  name: unknown,
  source: unknown,
  columns: unknown,
  options: unknown,
  problem: (option: string | null, reason: string) => void,
  normalised: Map<string, Column.Column<unknown>>,
  pk: Array<string>,
  unique: Array<ReadonlyArray<string>>,
  lock: Array<string>,
): void => {
  let found = false
  const report = (option: string | null, reason: string) => {
    found = true
    problem(option, reason)
  }
  const nameProblem = identifierProblem(name, 'schema name')
  if (nameProblem !== null) report('name', nameProblem)
  const sourceProblem = tableNameProblem(source, 'table name')
  if (sourceProblem !== null) report('source', sourceProblem)
  if (!isRecord(columns)) report('columns', `expected an object of columns, got ${show(columns)}`)
  else {
    for (const [column, input] of Object.entries(columns)) {
      const p = identifierProblem(column, 'column name')
      if (p !== null) report(`columns.${column}`, p)
      else if (Column.isColumn(input) && Column.isUsable(input)) normalised.set(column, input)
      else if (Column.isCodecLike(input))
        normalised.set(column, Column.fromInput(input as Column.ColumnInput))
      else
        report(
          `columns.${column}`,
          `expected an io-ts codec or a Column (Column.integer, Column.text, ...), got ${show(input)}`,
        )
    }
    if (normalised.size === 0 && !found) report('columns', 'a table needs at least one column')
  }
  const opts: Readonly<Record<string, unknown>> = isRecord(options) ? options : {}
  if (!isRecord(options)) report(null, `expected an object of table options, got ${show(options)}`)
  for (const k of Object.keys(opts))
    if (!tableOptions.includes(k) && opts[k] !== undefined)
      report(k, `unknown table option; expected one of ${tableOptions.map(o => `'${o}'`).join(', ')}`)
  const givenKey = opts['primaryKey'] ?? 'id'
  if (Array.isArray(givenKey) && givenKey.length === 0) {
    // no primary key
  } else {
    const keys = keyList(givenKey)
    if (keys === null)
      report('primaryKey', `expected a column name or a list of column names, got ${show(givenKey)}`)
    else
      for (const k of keys) {
        if (!normalised.has(k) && isRecord(columns) && !Object.hasOwn(columns, k))
          report(
            'primaryKey',
            opts['primaryKey'] === undefined
              ? `the default primary key 'id' is not a column: name the key with { primaryKey: '...' }, or give { primaryKey: [] } for a table without one`
              : `primary key '${k}' is not a column`,
          )
        else if (pk.includes(k)) report('primaryKey', `column '${k}' is given twice`)
        else pk.push(k)
      }
  }
  const givenUnique = opts['unique']
  if (givenUnique !== undefined) {
    if (!Array.isArray(givenUnique))
      report(
        'unique',
        `expected a list of unique keys (a column or a list of columns), got ${show(givenUnique)}`,
      )
    else
      for (const u of givenUnique as ReadonlyArray<unknown>) {
        const keys = keyList(u)
        if (keys === null) {
          report('unique', `expected a column name or a non-empty list of column names, got ${show(u)}`)
          continue
        }
        const missing = keys.find(k => !normalised.has(k))
        if (missing !== undefined) report('unique', `unique key column '${missing}' is not a column`)
        else if (new Set(keys).size !== keys.length)
          report('unique', `unique key ${show(keys)} repeats a column`)
        else unique.push(Object.freeze([...keys]))
      }
  }
  const givenLock = opts['optimisticLock']
  if (givenLock !== undefined) {
    const p = lockProblem(givenLock, normalised, pk)
    if (p === null) lock.push(givenLock as string)
    else report('optimisticLock', p)
  }
}

const tableOptions: ReadonlyArray<string> = ['primaryKey', 'unique', 'optimisticLock']

// The lock column holds a whole number that the plans compare and increment: an integer codec (1 is one
// of its values, 0.5 and the text '1' are not), never NULL, and not a key (a key that changed would no
// longer find its row).
const lockProblem = (
  given: unknown,
  columns: ReadonlyMap<string, Column.Column<unknown>>,
  pk: ReadonlyArray<string>,
): string | null => {
  if (typeof given !== 'string') return `expected a column name, got ${show(given)}`
  const c = columns.get(given)
  if (c === undefined) return `optimistic lock column '${given}' is not a column`
  if (pk.includes(given)) return `optimistic lock column '${given}' is part of the primary key`
  if (c.nullable || c.codec.is(null))
    return `optimistic lock column '${given}' is nullable; a version is never NULL`
  if (!c.codec.is(1) || c.codec.is(0.5) || c.codec.is('1'))
    return `optimistic lock column '${given}' is not an integer column (${c.codec.name}); use Column.integer`
  return null
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a value was built by `table` (an object with a table's fields is not one).
 *
 * @category utils
 * @since 0.1.0
 */
export const isTable = (u: unknown): u is Table => Brand.is(u, 'Table')

/**
 * @category utils
 * @since 0.1.0
 */
export const columnNames = (table: Table): ReadonlyArray<string> => [...table.columns.keys()]

/**
 * Whether a column alone is a key of the table: the whole primary key, or a declared unique key. Only
 * such a column identifies one row, so only it may be referenced by an association.
 *
 * @category utils
 * @since 0.1.0
 */
export const isUniqueColumn = (table: Table, column: string): boolean =>
  (table.primaryKey.length === 1 && table.primaryKey[0] === column) ||
  table.unique.some(u => u.length === 1 && u[0] === column)
