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
 * - `Update` / `Delete`: the rows a select with the same `where` returns (`Read.matching`: the select
 *   evaluator chooses them, with its three-valued logic, comparisons, LIKE and subqueries) are updated
 *   in place / removed, and returned (after update).
 * - Returned rows are projected on `returning`, in table order.
 * - Expressions are compiled once per statement by the memory interpreter's one evaluator (`Eval`),
 *   before any row is read: a parameter PostgreSQL refuses, a fragment (SQL text: `Unsupported`) or an
 *   unresolved plan `Ref` (`InvalidArgument`) fails the statement whatever the tables hold.
 * - Nothing throws: every failure is a `Left`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as Check from '../../ast/Check.js'
import type { Expr } from '../../ast/Expr.js'
import type { Write } from '../../ast/Write.js'
import * as DbError from '../../error/DbError.js'
import * as QueryError from '../../error/QueryError.js'
import { show } from '../../error/Show.js'
import type { RawRow } from '../../run/Interpreter.js'
import * as Constraints from './Constraints.js'
import {
  compileAll,
  evalAll,
  settle,
  type Env,
  type Eval,
  type EvalError,
  type Tables as EvalTables,
} from './Eval.js'
import * as Read from './Read.js'
import * as Value from './Value.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The memory interpreter's database: each source table's name mapped to its rows, a row being what
 * postgres.js would answer for it (column name to raw value). Writes answer a new map; none is mutated.
 *
 * @category model
 * @since 0.1.0
 */
export type Tables = EvalTables

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
export type WriteEvalError = EvalError

// -------------------------------------------------------------------------------------
// utils: values
// -------------------------------------------------------------------------------------

type Result<A> = E.Either<WriteEvalError, A>

const isNullish = (u: unknown): boolean => u === null || u === undefined

// Two values of a key column are the same key (NULLs alike: the update left the key as it was).
const sameKey = (a: unknown, b: unknown): boolean =>
  isNullish(a) || isNullish(b) ? isNullish(a) && isNullish(b) : Value.compare(a, b) === 0

const rowsOf = (tables: Tables, table: string): Result<ReadonlyArray<RawRow>> => {
  const rows = tables.get(table)
  return rows === undefined
    ? E.left(DbError.make('UndefinedTable', `relation "${table}" does not exist`, '42P01'))
    : E.right(rows)
}

// A statement's values (parameters, compiled before any row is read) for one row's bindings.
const valuesFor = (fs: ReadonlyArray<Eval>, env: Env): Result<ReadonlyArray<unknown>> =>
  settle(evalAll(fs, env))

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

/** The first constraint a statement breaks, if any. */
type Problem = DbError.DbError | undefined

const codes = {
  NotNullViolation: '23502',
  UniqueViolation: '23505',
  ForeignKeyViolation: '23503',
  UndefinedColumn: '42703',
} as const

const violation = (kind: keyof typeof codes, message: string): DbError.DbError =>
  DbError.make(kind, message, codes[kind])

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
): Problem => {
  if (tc === undefined) return undefined
  const c = cols.find(x => !tc.columns.includes(x))
  return c === undefined
    ? undefined
    : violation('UndefinedColumn', `column "${c}" of relation "${table}" does not exist`)
}

const notNull = (table: string, tc: Constraints.TableConstraints | undefined, row: RawRow): Problem => {
  const c = tc?.notNull.find(x => isNullish(row[x]))
  return c === undefined
    ? undefined
    : violation(
        'NotNullViolation',
        `null value in column "${c}" of relation "${table}" violates not-null constraint`,
      )
}

const duplicate = (table: string, key: ReadonlyArray<string>): DbError.DbError =>
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
): Problem => {
  for (const fk of st.constraints.foreignKeys) {
    if (fk.table !== table) continue
    let parents: Set<unknown> | null = null
    for (let i = 0; i < written.length; i++) {
      const v = (written[i] as RawRow)[fk.column]
      if (isNullish(v)) continue
      // An update that leaves the key as it was is not checked, as in PostgreSQL.
      const before = changed?.[i]
      if (before !== undefined && sameKey(before[fk.column], v)) continue
      parents ??= valuesOf(st.tables.get(fk.references) ?? [], fk.referencedColumn)
      if (!parents.has(Value.keyOf(v)))
        return violation(
          'ForeignKeyViolation',
          `insert or update on table "${table}" violates foreign key constraint on "${fk.column}": key (${fk.column})=(${show(v)}) is not present in table "${fk.references}"`,
        )
    }
  }
  return undefined
}

// Rows of `table` that went away (deleted, or re-keyed: `removed` holds their old values): every
// foreign key to them takes its action, cascading; `no action` is checked once everything has run. A
// re-keyed row takes no action (keys have no `on update` action here), so it is refused if referenced.
const onRemoved = (st: State, table: string, removed: ReadonlyArray<RawRow>, rekeyed = false): Problem => {
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
          const next: Array<RawRow> = []
          for (const r of children) {
            if (!hit(r)) {
              next.push(r)
              continue
            }
            const nulled = { ...r, [fk.column]: null }
            const p = notNull(fk.table, tc, nulled)
            if (p !== undefined) return p
            next.push(nulled)
          }
          st.tables.set(fk.table, next)
          break
        }
      }
    }
  }
  for (const [fk, lost] of noAction)
    for (const r of st.tables.get(fk.table) ?? [])
      if (!isNullish(r[fk.column]) && lost.has(Value.keyOf(r[fk.column])))
        return violation(
          'ForeignKeyViolation',
          `update or delete on table "${fk.references}" violates foreign key constraint on "${fk.table}"."${fk.column}": key (${fk.referencedColumn})=(${show(r[fk.column])}) is still referenced from table "${fk.table}"`,
        )
  return undefined
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

type Statement<W extends Write> = (
  st: State,
  w: W,
  sequences: Map<string, number> | null,
) => Result<ReadonlyArray<RawRow>>

// The rows an insert proposes: its lists of parameters, or the rows of its select (insert ... select),
// each a list of values in `columns` order.
const proposed = (
  st: State,
  w: Extract<Write, { readonly _tag: 'Insert' }>,
): Result<ReadonlyArray<ReadonlyArray<unknown>>> => {
  if (w.select !== undefined) {
    const names = w.select.columns.map(o => o.name)
    return E.map((rows: ReadonlyArray<RawRow>) => rows.map(r => names.map(n => r[n] ?? null)))(
      Read.select(st.tables, w.select),
    )
  }
  // Given column by column (a bulk insert): the same rows, each value bound as its parameter would be.
  const arrays = w.arrays
  if (arrays !== undefined) {
    const n = (arrays[0]?.value as ReadonlyArray<unknown> | undefined)?.length ?? 0
    const out: Array<Array<unknown>> = Array.from({ length: n }, () => new Array<unknown>(arrays.length))
    for (let c = 0; c < arrays.length; c++) {
      const a = arrays[c] as (typeof arrays)[number]
      const bind = a.json === true ? Value.jsonParameter : Value.parameter
      const values = a.value as ReadonlyArray<unknown>
      for (let r = 0; r < n; r++) {
        const v = bind(values[r] === undefined ? null : values[r])
        if (E.isLeft(v)) return v
        ;(out[r] as Array<unknown>)[c] = v.right
      }
    }
    return E.right(out)
  }
  // Parameters are bound before any row is formed: a refused value fails the statement first.
  const ctx = Read.context(st.tables)
  const given: Array<ReadonlyArray<unknown>> = []
  for (const values of w.rows) {
    const vs = E.chain((fs: ReadonlyArray<Eval>) => valuesFor(fs, {}))(
      compileAll(
        ctx,
        w.columns.map((_, i) => values[i] as Expr),
      ),
    )
    if (E.isLeft(vs)) return vs
    given.push(vs.right)
  }
  return E.right(given)
}

const sameColumns = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every(c => b.includes(c))

const insert: Statement<Extract<Write, { readonly _tag: 'Insert' }>> = (st, w, sequences) => {
  const existing = rowsOf(st.tables, w.table)
  if (E.isLeft(existing)) return existing
  const tc = st.constraints.tables.get(w.table)
  const conflict = typeof w.onConflict === 'object' ? w.onConflict : null
  const unknown = knownColumns(w.table, tc, [
    ...w.columns,
    ...w.returning,
    ...(conflict?.target ?? []),
    ...(conflict?.action._tag === 'Update' ? conflict.action.set.map(([c]) => c) : []),
  ])
  if (unknown !== undefined) return E.left(unknown)
  const given = proposed(st, w)
  if (E.isLeft(given)) return given
  // An upsert's `do update set`, compiled once, reading the existing row and `excluded`.
  const sets =
    conflict?.action._tag === 'Update'
      ? compileAll(
          { ...Read.context(st.tables), scope: new Set([conflict.alias, 'excluded']) },
          conflict.action.set.map(([, e]) => e),
        )
      : E.right([])
  if (E.isLeft(sets)) return sets
  const all = tc?.columns ?? [...new Set([...w.columns, ...w.generated, ...w.returning])]
  const kinds = new Map<string, Constraints.Sequence>(tc?.sequences ?? [])
  for (const g of w.generated)
    if (!kinds.has(g) && existing.right.every(r => isNullish(r[g]) || typeof r[g] === 'number'))
      kinds.set(g, 'integer')
  const last = new Map<string, number>()
  const nextval = (c: string): number => {
    const k = sequenceKey(w.table, c)
    let n = last.get(c) ?? sequences?.get(k)
    if (n === undefined) {
      n = 0
      for (const r of existing.right) {
        const v = integerOf(r[c])
        if (v !== null && v > n) n = v
      }
    }
    n += 1
    last.set(c, n)
    sequences?.set(k, n)
    return n
  }
  const declared = tc === undefined ? (w.key.length > 0 ? [w.key] : []) : Constraints.keysOf(tc)
  // The conflict's arbiter: the unique key whose columns are its target (PostgreSQL's inference; the
  // plan builders refuse a target that is no key, 42P10). Without constraints the target is a key.
  const arbiterAt = conflict === null ? -1 : declared.findIndex(k => sameColumns(k, conflict.target))
  const keys = conflict !== null && arbiterAt < 0 ? [...declared, conflict.target] : declared
  const arbiter = conflict === null ? -1 : arbiterAt < 0 ? keys.length - 1 : arbiterAt
  // Per key, the key's text -> the index in `out` of the row holding it.
  const owners = keys.map(key => {
    const m = new Map<string, number>()
    existing.right.forEach((r, i) => {
      const k = keyText(r, key)
      if (k !== null) m.set(k, i)
    })
    return m
  })
  const out: Array<RawRow> = [...existing.right]
  const added: Array<RawRow> = []
  const before: Array<RawRow> = []
  const after: Array<RawRow> = []
  const returned: Array<RawRow> = []
  // Rows this statement inserted or updated: an upsert may not touch one twice (21000).
  const touched = new Set<number>()
  for (const values of given.right) {
    const row: Record<string, unknown> = {}
    w.columns.forEach((c, i) => {
      row[c] = values[i]
    })
    for (const c of all) {
      if (w.columns.includes(c)) continue
      const kind = kinds.get(c)
      row[c] = kind === undefined ? null : kind === 'integer' ? nextval(c) : String(nextval(c))
    }
    const nn = notNull(w.table, tc, row)
    if (nn !== undefined) return E.left(nn)
    const texts = keys.map(key => keyText(row, key))
    const hitAt = (i: number): number | undefined => {
      const k = texts[i]
      return k === null || k === undefined ? undefined : (owners[i] as Map<string, number>).get(k)
    }
    // The arbiter is checked first: its conflict takes the action, whatever other keys hold.
    const onArbiter = arbiter < 0 ? undefined : hitAt(arbiter)
    if (conflict !== null && onArbiter !== undefined) {
      if (conflict.action._tag === 'Nothing') continue
      if (touched.has(onArbiter))
        return E.left(
          DbError.make('Unknown', 'ON CONFLICT DO UPDATE command cannot affect row a second time', '21000'),
        )
      const current = out[onArbiter] as RawRow
      const vs = valuesFor(sets.right, { [conflict.alias]: current, excluded: row })
      if (E.isLeft(vs)) return vs
      const changed: Record<string, unknown> = { ...current }
      conflict.action.set.forEach(([c], i) => {
        changed[c] = vs.right[i]
      })
      const nn2 = notNull(w.table, tc, changed)
      if (nn2 !== undefined) return E.left(nn2)
      for (let i = 0; i < keys.length; i++) {
        const old = keyText(current, keys[i] as ReadonlyArray<string>)
        const next = keyText(changed, keys[i] as ReadonlyArray<string>)
        if (old === next) continue
        const m = owners[i] as Map<string, number>
        if (next !== null && m.has(next)) return E.left(duplicate(w.table, keys[i] as ReadonlyArray<string>))
        if (old !== null) m.delete(old)
        if (next !== null) m.set(next, onArbiter)
      }
      out[onArbiter] = changed
      touched.add(onArbiter)
      before.push(current)
      after.push(changed)
      returned.push(changed)
      continue
    }
    const clash = texts.findIndex((_, i) => hitAt(i) !== undefined)
    if (clash >= 0) {
      if (w.onConflict === 'nothing') continue
      return E.left(duplicate(w.table, keys[clash] as ReadonlyArray<string>))
    }
    texts.forEach((k, i) => {
      if (k !== null) (owners[i] as Map<string, number>).set(k, out.length)
    })
    touched.add(out.length)
    out.push(row)
    added.push(row)
    returned.push(row)
  }
  st.tables.set(w.table, out)
  const dangling = referencesExist(st, w.table, added) ?? referencesExist(st, w.table, after, before)
  if (dangling !== undefined) return E.left(dangling)
  const refused = rekeyedRefused(st, w.table, before, after)
  return refused === undefined ? E.right(returned.map(r => project(r, w.returning))) : E.left(refused)
}

// A referenced key that an update changed leaves its referencing rows behind: no action, so refused.
const rekeyedRefused = (
  st: State,
  table: string,
  before: ReadonlyArray<RawRow>,
  after: ReadonlyArray<RawRow>,
): Problem => {
  const rekeyed = before.filter((r, i) =>
    st.constraints.foreignKeys.some(
      fk =>
        fk.references === table &&
        !sameKey(r[fk.referencedColumn], (after[i] as RawRow)[fk.referencedColumn]),
    ),
  )
  return rekeyed.length > 0 ? onRemoved(st, table, rekeyed, true) : undefined
}

const update: Statement<Extract<Write, { readonly _tag: 'Update' }>> = (st, w) => {
  const { table, alias } = w.binding
  const rows = rowsOf(st.tables, table)
  if (E.isLeft(rows)) return rows
  const tc = st.constraints.tables.get(table)
  const unknown =
    knownColumns(
      table,
      tc,
      w.set.map(([c]) => c),
    ) ?? knownColumns(table, tc, w.returning)
  if (unknown !== undefined) return E.left(unknown)
  const hit = Read.matching(st.tables, w.binding, w.where)
  if (E.isLeft(hit)) return hit
  const sets = compileAll(
    { ...Read.context(st.tables), scope: new Set([alias]) },
    w.set.map(([, p]) => p),
  )
  if (E.isLeft(sets)) return sets
  const matched = new Set(hit.right)
  const before: Array<RawRow> = []
  const after: Array<RawRow> = []
  const out: Array<RawRow> = []
  for (const r of rows.right) {
    if (!matched.has(r)) {
      out.push(r)
      continue
    }
    const vs = valuesFor(sets.right, { [alias]: r })
    if (E.isLeft(vs)) return vs
    const changed: Record<string, unknown> = { ...r }
    w.set.forEach(([c], i) => {
      changed[c] = vs.right[i]
    })
    const nn = notNull(table, tc, changed)
    if (nn !== undefined) return E.left(nn)
    before.push(r)
    after.push(changed)
    out.push(changed)
  }
  if (after.length === 0) return E.right([])
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
      if (k !== null && (counts.get(k) ?? 0) > 1) return E.left(duplicate(table, key))
    }
  }
  const dangling = referencesExist(st, table, after, before)
  if (dangling !== undefined) return E.left(dangling)
  const refused = rekeyedRefused(st, table, before, after)
  return refused === undefined ? E.right(after.map(r => project(r, w.returning))) : E.left(refused)
}

const remove: Statement<Extract<Write, { readonly _tag: 'Delete' }>> = (st, w) => {
  const table = w.binding.table
  const rows = rowsOf(st.tables, table)
  if (E.isLeft(rows)) return rows
  const unknown = knownColumns(table, st.constraints.tables.get(table), w.returning)
  if (unknown !== undefined) return E.left(unknown)
  const hit = Read.matching(st.tables, w.binding, w.where)
  if (E.isLeft(hit)) return hit
  const gone = new Set(hit.right)
  if (gone.size === 0) return E.right([])
  st.tables.set(
    table,
    rows.right.filter(r => !gone.has(r)),
  )
  const refused = onRemoved(st, table, [...gone])
  return refused === undefined ? E.right([...gone].map(r => project(r, w.returning))) : E.left(refused)
}

// Reads the rows a plan links: the rows the where matches, nothing changed (a lock has no meaning in
// memory, where a plan runs alone).
const reads: Statement<Extract<Write, { readonly _tag: 'Read' }>> = (st, w) => {
  const table = w.binding.table
  const rows = rowsOf(st.tables, table)
  if (E.isLeft(rows)) return rows
  const unknown = knownColumns(table, st.constraints.tables.get(table), w.returning)
  if (unknown !== undefined) return E.left(unknown)
  return E.map((hit: ReadonlyArray<RawRow>) => hit.map(r => project(r, w.returning)))(
    Read.matching(st.tables, w.binding, w.where),
  )
}

const statements: { readonly [K in Write['_tag']]: Statement<Extract<Write, { readonly _tag: K }>> } = {
  Insert: insert,
  Update: update,
  Delete: remove,
  Read: reads,
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
    const run = statements[w._tag] as Statement<Write>
    return E.map((rows: ReadonlyArray<RawRow>) => ({
      tables: st.tables,
      rows,
      sequences: sequences ?? new Map(),
    }))(run(st, w, sequences))
  } catch (u) {
    // Anything thrown comes from untyped tables, rows or options that could not be read.
    return E.left(QueryError.unreadable("the memory interpreter's write", u))
  }
}
