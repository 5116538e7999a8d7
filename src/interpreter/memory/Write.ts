/**
 * The reference semantics of write statements over in-memory tables: a pure function from tables and
 * one `Insert`, `Update` or `Delete` to the new tables and the rows the statement returns, enforcing
 * the constraints the database would (see `Constraints`).
 *
 * Contract (for the memory interpreter that wires it in as its `write` capability):
 * - `tables` maps a table name (a source, as in the AST) to its rows; the input is never mutated, the
 *   result shares every untouched table. A statement that fails changes nothing.
 * - An unknown table is a `DbError` `UndefinedTable` (42P01); with constraints, a column the table does
 *   not have is `UndefinedColumn` (42703), as PostgreSQL reports them.
 * - Values are taken as postgres.js sends them (`Value.parameter`): text with a NUL byte is refused
 *   (22021), a lone surrogate is stored as U+FFFD.
 * - `Insert`: a row gets every column of the table (with constraints), else every column named in
 *   `columns`, `generated` or `returning`. An omitted identity column is numbered by the table's
 *   sequence: with `sequences` given, one that starts after the largest value present when first used
 *   and never goes back (as PostgreSQL's, whose numbers are not reused after a delete or a rollback);
 *   without, `max + 1` of the rows present. Any other omitted column is `null`.
 * - Constraints, checked as PostgreSQL checks them: NOT NULL, then primary and unique keys, row by row
 *   (a NULL never conflicts; `onConflict: 'nothing'` skips a row that conflicts on any of them); foreign
 *   keys at the end of the statement: an inserted or updated key must exist, and a deleted (or
 *   re-keyed) referenced row takes its `on delete` action: `cascade` deletes the referencing rows
 *   (and so on down), `set null` nulls their key (which NOT NULL may refuse), `no action` refuses the
 *   statement if any still refer to it. Errors: `NotNullViolation` (23502), `UniqueViolation` (23505),
 *   `ForeignKeyViolation` (23503). Only rows the statement touches are checked, as in PostgreSQL, so
 *   rows loaded with a dangling key stay as they are. Difference: an update is checked for unique keys
 *   once it is complete, where PostgreSQL checks row by row in physical order (so `set id = id + 1`
 *   can fail there on a transient duplicate and never fails here).
 * - Without constraints (`Constraints.none`), only the statement's `key` is unique, and nothing else
 *   is checked.
 * - `Update` / `Delete`: the rows whose `where` conjuncts are all true (SQL three-valued logic: a
 *   comparison with NULL is unknown) are updated in place / removed, and returned (after update).
 * - Returned rows are projected on `returning`, in table order.
 * - Expressions: column references, parameters, comparisons (PostgreSQL's order: `NaN` above every
 *   number and equal to itself), lists, null tests, not / and / or, `like` (`Like`), and `exists` over
 *   a select without joins, order or limit. A `Fragment` (SQL text) or an unresolved plan `Ref` is a
 *   `QueryError` (`Unsupported` / `InvalidArgument`).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as Check from '../../ast/Check.js'
import { isExpr, isPlaceholder, type Expr } from '../../ast/Expr.js'
import type { Select } from '../../ast/Select.js'
import { isRef, type Write } from '../../ast/Write.js'
import * as DbError from '../../error/DbError.js'
import * as QueryError from '../../error/QueryError.js'
import { show } from '../../error/Show.js'
import * as Prepared from '../../query/Prepared.js'
import type { RawRow } from '../../run/Interpreter.js'
import * as Constraints from './Constraints.js'
import { like } from './Like.js'
import * as Value from './Value.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * @category model
 * @since 0.1.0
 */
export type Tables = ReadonlyMap<string, ReadonlyArray<RawRow>>

/**
 * @category model
 * @since 0.1.0
 */
export interface Written {
  readonly tables: Tables
  readonly rows: ReadonlyArray<RawRow>
  /** The sequences after the statement (given ones advanced; empty when none were given). */
  readonly sequences: Sequences
}

/**
 * The last number each identity sequence gave, by `table` and `column` joined with U+0000 (see
 * `sequenceKey`). A sequence absent here starts after the largest value in its column.
 *
 * @category model
 * @since 0.1.0
 */
export type Sequences = ReadonlyMap<string, number>

/**
 * What a statement runs against besides the tables.
 *
 * @category model
 * @since 0.1.0
 */
export interface Options {
  readonly constraints?: Constraints.Constraints
  /** Identity sequences that outlive the statement; omitted, each insert numbers from `max + 1`. */
  readonly sequences?: Sequences
}

/**
 * @category model
 * @since 0.1.0
 */
export type WriteEvalError = DbError.DbError | QueryError.QueryError

// -------------------------------------------------------------------------------------
// utils: expressions
// -------------------------------------------------------------------------------------

type Env = ReadonlyMap<string, RawRow>
type Truth = boolean | null

class Stop {
  constructor(readonly error: WriteEvalError) {}
}

const isNullish = (u: unknown): boolean => u === null || u === undefined

// Equality as the select evaluator has it (`Value.compare`: jsonb structurally, dates by instant,
// numbers against numeric text by value), so a write filter matches the rows a read filter does.
const equal = (a: unknown, b: unknown): boolean => {
  if (typeof a === 'number' && typeof b === 'number') return Value.compareNumbers(a, b) === 0
  if (typeof a === 'bigint' || typeof b === 'bigint') return String(a) === String(b)
  const c = Value.compare(a, b)
  return c === null ? Value.keyOf(a) === Value.keyOf(b) : c === 0
}

const order = (a: unknown, b: unknown): number => {
  const c = Value.compare(a, b)
  if (c === null)
    throw new Stop(
      DbError.make(
        'UndefinedFunction',
        `operator does not exist: ${typeof a} compared with ${typeof b} (${show(a)}, ${show(b)})`,
        '42883',
      ),
    )
  return c
}

// A value as postgres.js sends it, or the error PostgreSQL raises for it.
const sent = (u: unknown): unknown => {
  const p = Value.parameter(u)
  if (E.isLeft(p)) throw new Stop(p.left)
  return p.right
}

// A JSON parameter as PostgreSQL receives it (its JSON text read back), or the error it meets.
const sentJson = (u: unknown): unknown => {
  const p = Value.jsonParameter(u)
  if (E.isLeft(p)) throw new Stop(p.left)
  return p.right
}

const truth = (u: unknown): Truth => (isNullish(u) ? null : u === true)

const value = (tables: Tables, env: Env, e: Expr): unknown => {
  // A value in an expression's place that no AST companion built is a value, whatever its shape.
  if (!isExpr(e)) return e
  switch (e._tag) {
    case 'ColumnRef': {
      const row = env.get(e.alias)
      if (row === undefined)
        throw new Stop(QueryError.make('InvalidArgument', `unknown binding '${e.alias}' in a write filter`))
      return row[e.column] ?? null
    }
    case 'Param':
      if (isRef(e.value))
        throw new Stop(
          QueryError.make('InvalidArgument', `unresolved reference to statement ${e.value.step} of a plan`),
        )
      if (isPlaceholder(e.value)) throw new Stop(Prepared.unbound(e.value))
      return e.json === true ? sentJson(e.value) : sent(e.value)
    case 'Bool':
      return e.value
    case 'Compare': {
      const l = value(tables, env, e.left)
      const r = value(tables, env, e.right)
      if (isNullish(l) || isNullish(r)) return null
      const json = [e.left, e.right].some(
        x =>
          isExpr(x) &&
          ((x._tag === 'Param' && x.json === true) || (x._tag === 'ColumnRef' && x.json !== undefined)),
      )
      const c = json
        ? Value.compareJson(l, r)
        : e.op === 'eq' || e.op === 'neq'
          ? equal(l, r)
            ? 0
            : 1
          : order(l, r)
      return { eq: c === 0, neq: c !== 0, lt: c < 0, lte: c <= 0, gt: c > 0, gte: c >= 0 }[e.op]
    }
    case 'InList': {
      const v = value(tables, env, e.expr)
      if (isNullish(v)) return null
      const values = sent(e.values) as ReadonlyArray<unknown>
      if (values.some(x => !isNullish(x) && equal(v, x))) return true
      return values.some(isNullish) ? null : false
    }
    case 'IsNull':
      return isNullish(value(tables, env, e.expr))
    case 'Not': {
      const t = truth(value(tables, env, e.expr))
      return t === null ? null : !t
    }
    case 'NotTrue':
      return truth(value(tables, env, e.expr)) !== true
    case 'And': {
      const ts = e.exprs.map(x => truth(value(tables, env, x)))
      return ts.includes(false) ? false : ts.includes(null) ? null : true
    }
    case 'Or': {
      const ts = e.exprs.map(x => truth(value(tables, env, x)))
      return ts.includes(true) ? true : ts.includes(null) ? null : false
    }
    case 'Like': {
      const v = value(tables, env, e.expr)
      const p = value(tables, env, e.pattern)
      if (isNullish(v) || isNullish(p)) return null
      const r = like(String(v), String(p), e.caseInsensitive)
      if (E.isLeft(r)) throw new Stop(r.left)
      return r.right
    }
    case 'Exists':
      return exists(tables, env, e.select)
    case 'Fragment':
      throw new Stop(
        QueryError.make(
          'Unsupported',
          'the memory interpreter cannot evaluate a SQL fragment in a write filter',
        ),
      )
  }
}

const rowsOf = (tables: Tables, table: string): ReadonlyArray<RawRow> => {
  const rows = tables.get(table)
  if (rows === undefined)
    throw new Stop(DbError.make('UndefinedTable', `relation "${table}" does not exist`, '42P01'))
  return rows
}

const exists = (tables: Tables, env: Env, s: Select): boolean => {
  if (s.joins.length > 0)
    throw new Stop(QueryError.make('Unsupported', 'the memory write semantics take exists without joins'))
  return rowsOf(tables, s.from.table).some(r => {
    const inner = new Map(env).set(s.from.alias, r)
    return s.where.every(w => truth(value(tables, inner, w)) === true)
  })
}

const matches = (tables: Tables, alias: string, where: ReadonlyArray<Expr>, row: RawRow): boolean => {
  const env = new Map([[alias, row]])
  return where.every(w => truth(value(tables, env, w)) === true)
}

const project = (row: RawRow, cols: ReadonlyArray<string>): RawRow =>
  Object.fromEntries(cols.map(c => [c, row[c] ?? null]))

// -------------------------------------------------------------------------------------
// utils: constraints
// -------------------------------------------------------------------------------------

/**
 * The key of a sequence in `Sequences`.
 *
 * @category utils
 * @since 0.1.0
 */
export const sequenceKey = (table: string, column: string): string => `${table}\u0000${column}`

const violation = (
  kind: 'NotNullViolation' | 'UniqueViolation' | 'ForeignKeyViolation' | 'UndefinedColumn',
  message: string,
): Stop =>
  new Stop(
    DbError.make(
      kind,
      message,
      {
        NotNullViolation: '23502',
        UniqueViolation: '23505',
        ForeignKeyViolation: '23503',
        UndefinedColumn: '42703',
      }[kind],
    ),
  )

// One hashable text for a key's values, or null when one of them is NULL (which never conflicts).
const keyText = (row: RawRow, key: ReadonlyArray<string>): string | null => {
  let out = ''
  for (const c of key) {
    const v = row[c]
    if (isNullish(v)) return null
    const k = Value.keyOf(v)
    out += `${typeof k}:${typeof k === 'object' ? JSON.stringify(k) : String(k)}\u0000`
  }
  return out
}

const knownColumns = (
  table: string,
  tc: Constraints.TableConstraints | undefined,
  cols: ReadonlyArray<string>,
) => {
  if (tc === undefined) return
  for (const c of cols)
    if (!tc.columns.includes(c))
      throw violation('UndefinedColumn', `column "${c}" of relation "${table}" does not exist`)
}

const notNull = (table: string, tc: Constraints.TableConstraints | undefined, row: RawRow) => {
  if (tc === undefined) return
  for (const c of tc.notNull)
    if (isNullish(row[c]))
      throw violation(
        'NotNullViolation',
        `null value in column "${c}" of relation "${table}" violates not-null constraint`,
      )
}

const duplicate = (table: string, key: ReadonlyArray<string>): Stop =>
  violation(
    'UniqueViolation',
    `duplicate key value violates unique constraint on "${table}" (${key.join(', ')})`,
  )

// The values a column holds, for foreign key lookups.
const valuesOf = (rows: ReadonlyArray<RawRow>, column: string): Set<unknown> => {
  const out = new Set<unknown>()
  for (const r of rows) {
    const v = r[column]
    if (!isNullish(v)) out.add(Value.keyOf(v))
  }
  return out
}

interface State {
  readonly tables: Map<string, ReadonlyArray<RawRow>>
  readonly constraints: Constraints.Constraints
}

// Referencing rows (`written`, in `table`) must point at an existing row.
const referencesExist = (
  st: State,
  table: string,
  written: ReadonlyArray<RawRow>,
  changed?: ReadonlyArray<RawRow>,
) => {
  for (const fk of st.constraints.foreignKeys) {
    if (fk.table !== table) continue
    let parents: Set<unknown> | null = null
    written.forEach((r, i) => {
      const v = r[fk.column]
      if (isNullish(v)) return
      // An update that leaves the key as it was is not checked, as in PostgreSQL.
      const before = changed?.[i]
      if (before !== undefined && equal(before[fk.column], v)) return
      parents ??= valuesOf(st.tables.get(fk.references) ?? [], fk.referencedColumn)
      if (!parents.has(Value.keyOf(v)))
        throw violation(
          'ForeignKeyViolation',
          `insert or update on table "${table}" violates foreign key constraint on "${fk.column}": key (${fk.column})=(${show(v)}) is not present in table "${fk.references}"`,
        )
    })
  }
}

// Rows of `table` that went away (deleted, or re-keyed: `removed` holds their old values): every
// foreign key to them takes its action, cascading; `no action` is checked once everything has run. A
// re-keyed row takes no action (keys have no `on update` action here), so it is refused if referenced.
const onRemoved = (st: State, table: string, removed: ReadonlyArray<RawRow>, rekeyed = false) => {
  const noAction: Array<readonly [Constraints.Constraints['foreignKeys'][number], Set<unknown>]> = []
  const work: Array<readonly [string, ReadonlyArray<RawRow>]> = [[table, removed]]
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    const [t, gone] = item
    for (const fk of st.constraints.foreignKeys) {
      if (fk.references !== t) continue
      const still = valuesOf(st.tables.get(t) ?? [], fk.referencedColumn)
      const lost = new Set<unknown>()
      for (const r of gone) {
        const v = r[fk.referencedColumn]
        if (!isNullish(v) && !still.has(Value.keyOf(v))) lost.add(Value.keyOf(v))
      }
      if (lost.size === 0) continue
      const hit = (r: RawRow) => !isNullish(r[fk.column]) && lost.has(Value.keyOf(r[fk.column]))
      const children = st.tables.get(fk.table) ?? []
      switch (rekeyed ? 'no action' : fk.onDelete) {
        case 'no action':
          noAction.push([fk, lost])
          break
        case 'cascade': {
          const dead = children.filter(hit)
          if (dead.length === 0) break
          st.tables.set(
            fk.table,
            children.filter(r => !hit(r)),
          )
          work.push([fk.table, dead])
          break
        }
        case 'set null': {
          const tc = st.constraints.tables.get(fk.table)
          st.tables.set(
            fk.table,
            children.map(r => {
              if (!hit(r)) return r
              const next = { ...r, [fk.column]: null }
              notNull(fk.table, tc, next)
              return next
            }),
          )
          break
        }
      }
    }
  }
  for (const [fk, lost] of noAction)
    for (const r of st.tables.get(fk.table) ?? [])
      if (!isNullish(r[fk.column]) && lost.has(Value.keyOf(r[fk.column])))
        throw violation(
          'ForeignKeyViolation',
          `update or delete on table "${fk.references}" violates foreign key constraint on "${fk.table}"."${fk.column}": key (${fk.referencedColumn})=(${show(r[fk.column])}) is still referenced from table "${fk.table}"`,
        )
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

const integerOf = (v: unknown): number | null =>
  typeof v === 'number' && Number.isInteger(v)
    ? v
    : typeof v === 'string' && /^-?\d+$/.test(v)
      ? Number(v)
      : null

const insert = (
  st: State,
  w: Extract<Write, { readonly _tag: 'Insert' }>,
  sequences: Map<string, number> | null,
) => {
  const existing = rowsOf(st.tables, w.table)
  const tc = st.constraints.tables.get(w.table)
  knownColumns(w.table, tc, [...w.columns, ...w.returning])
  // Parameters are bound before any row is formed: a refused value fails the statement first.
  const given = w.rows.map(values => w.columns.map((_, i) => value(st.tables, new Map(), values[i] as Expr)))
  const all = tc?.columns ?? [...new Set([...w.columns, ...w.generated, ...w.returning])]
  const kinds = new Map<string, Constraints.Sequence>(tc?.sequences ?? [])
  for (const g of w.generated)
    if (!kinds.has(g) && existing.every(r => isNullish(r[g]) || typeof r[g] === 'number'))
      kinds.set(g, 'integer')
  const last = new Map<string, number>()
  const nextval = (c: string): number => {
    const k = sequenceKey(w.table, c)
    let n = last.get(c) ?? sequences?.get(k)
    if (n === undefined) {
      n = 0
      for (const r of existing) {
        const v = integerOf(r[c])
        if (v !== null && v > n) n = v
      }
    }
    n += 1
    last.set(c, n)
    sequences?.set(k, n)
    return n
  }
  const keys = tc === undefined ? (w.key.length > 0 ? [w.key] : []) : Constraints.keysOf(tc)
  const seen = keys.map(key => {
    const s = new Set<string>()
    for (const r of existing) {
      const k = keyText(r, key)
      if (k !== null) s.add(k)
    }
    return s
  })
  const out: Array<RawRow> = [...existing]
  const added: Array<RawRow> = []
  for (const values of given) {
    const row: Record<string, unknown> = {}
    w.columns.forEach((c, i) => {
      row[c] = values[i]
    })
    for (const c of all) {
      if (w.columns.includes(c)) continue
      const kind = kinds.get(c)
      row[c] = kind === undefined ? null : kind === 'integer' ? nextval(c) : String(nextval(c))
    }
    notNull(w.table, tc, row)
    const texts = keys.map(key => keyText(row, key))
    const clash = texts.findIndex((k, i) => k !== null && (seen[i] as Set<string>).has(k))
    if (clash >= 0) {
      if (w.onConflict === 'nothing') continue
      throw duplicate(w.table, keys[clash] as ReadonlyArray<string>)
    }
    texts.forEach((k, i) => {
      if (k !== null) (seen[i] as Set<string>).add(k)
    })
    out.push(row)
    added.push(row)
  }
  st.tables.set(w.table, out)
  referencesExist(st, w.table, added)
  return added.map(r => project(r, w.returning))
}

const update = (st: State, w: Extract<Write, { readonly _tag: 'Update' }>) => {
  const table = w.binding.table
  const rows = rowsOf(st.tables, table)
  const tc = st.constraints.tables.get(table)
  knownColumns(
    table,
    tc,
    w.set.map(([c]) => c),
  )
  knownColumns(table, tc, w.returning)
  const before: Array<RawRow> = []
  const after: Array<RawRow> = []
  const out = rows.map(r => {
    if (!matches(st.tables, w.binding.alias, w.where, r)) return r
    const env = new Map([[w.binding.alias, r]])
    const changed = { ...r, ...Object.fromEntries(w.set.map(([c, p]) => [c, value(st.tables, env, p)])) }
    notNull(table, tc, changed)
    before.push(r)
    after.push(changed)
    return changed
  })
  if (after.length === 0) return []
  st.tables.set(table, out)
  const keys = tc === undefined ? [] : Constraints.keysOf(tc)
  for (const key of keys) {
    const counts = new Map<string, number>()
    for (const r of out) {
      const k = keyText(r, key)
      if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1)
    }
    for (const r of after) {
      const k = keyText(r, key)
      if (k !== null && (counts.get(k) ?? 0) > 1) throw duplicate(table, key)
    }
  }
  referencesExist(st, table, after, before)
  // A referenced key that changed leaves its referencing rows behind: no action, so refused.
  const rekeyed = before.filter((r, i) =>
    st.constraints.foreignKeys.some(
      fk =>
        fk.references === table && !equal(r[fk.referencedColumn], (after[i] as RawRow)[fk.referencedColumn]),
    ),
  )
  if (rekeyed.length > 0) onRemoved(st, table, rekeyed, true)
  return after.map(r => project(r, w.returning))
}

const remove = (st: State, w: Extract<Write, { readonly _tag: 'Delete' }>) => {
  const table = w.binding.table
  const rows = rowsOf(st.tables, table)
  knownColumns(table, st.constraints.tables.get(table), w.returning)
  const gone = new Set(rows.filter(r => matches(st.tables, w.binding.alias, w.where, r)))
  if (gone.size === 0) return []
  st.tables.set(
    table,
    rows.filter(r => !gone.has(r)),
  )
  onRemoved(st, table, [...gone])
  return [...gone].map(r => project(r, w.returning))
}

/**
 * Runs one write statement over the tables (see the module doc for the exact contract).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast } from 'quiver-sql'
 * import { write } from './Write.js'
 * const ins = Ast.Write.insert({
 *   table: 'tags', columns: ['name'], rows: [[Ast.Expr.param('sql')]], generated: ['id'],
 *   key: ['id'], onConflict: 'raise', returning: ['id', 'name'],
 * })
 * const r = write(new Map([['tags', [{ id: 1, name: 'x' }]]]), ins)
 * assert.deepStrictEqual(E.map((w: { readonly rows: unknown }) => w.rows)(r), E.right([{ id: 2, name: 'sql' }]))
 *
 * @category destructors
 * @since 0.1.0
 */
export const write = (tables: Tables, w: Write, options: Options = {}): E.Either<WriteEvalError, Written> => {
  try {
    // A statement no companion built (or holding what none can run) is refused before any row changes.
    const problem = Check.write(w)
    if (problem !== undefined)
      return E.left(QueryError.make('InvalidArgument', `the memory interpreter's write: ${problem}`))
    const st: State = { tables: new Map(tables), constraints: options.constraints ?? Constraints.none }
    const sequences = options.sequences === undefined ? null : new Map(options.sequences)
    const rows =
      w._tag === 'Insert' ? insert(st, w, sequences) : w._tag === 'Update' ? update(st, w) : remove(st, w)
    return E.right({ tables: st.tables, rows, sequences: sequences ?? new Map() })
  } catch (u) {
    // Anything else thrown comes from untyped tables, rows or options that could not be read.
    return E.left(u instanceof Stop ? u.error : QueryError.unreadable("the memory interpreter's write", u))
  }
}
