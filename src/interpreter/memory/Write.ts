/**
 * The reference semantics of write statements over in-memory tables: a pure function from tables and
 * one `Insert`, `Update` or `Delete` to the new tables and the rows the statement returns.
 *
 * Contract (for the memory interpreter that wires it in as its `write` capability):
 * - `tables` maps a table name (a source, as in the AST) to its rows; the input is never mutated, the
 *   result shares every untouched table.
 * - An unknown table is a `DbError` `UndefinedTable` (code 42P01), as PostgreSQL reports it.
 * - `Insert`: a row gets every column named in `columns`, `generated` or `returning`; an omitted
 *   generated column holding integers is numbered `max + 1` (PostgreSQL's sequence never reuses a
 *   number; tests that compare the two start from the same state or give ids), any other omitted column
 *   is `null`. When every `key` value is non-null and equals an existing row's (or an earlier row of the
 *   same statement), the row conflicts: skipped with `onConflict: 'nothing'`, else `DbError`
 *   `UniqueViolation` (23505). Foreign keys, NOT NULL and other constraints are not checked.
 * - `Update` / `Delete`: the rows whose `where` conjuncts are all true (SQL three-valued logic: a
 *   comparison with NULL is unknown) are updated in place / removed, and returned (after update).
 * - Returned rows are projected on `returning`, in table order.
 * - Expressions: column references, parameters, comparisons, lists, null tests, not / and / or,
 *   `like`, and `exists` over a select without joins, order or limit. A `Fragment` (SQL text) or an
 *   unresolved plan `Ref` is a `QueryError` (`Unsupported` / `InvalidArgument`).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { isExpr, isPlaceholder, type Expr } from '../../ast/Expr.js'
import type { Select } from '../../ast/Select.js'
import { isRef, type Write } from '../../ast/Write.js'
import * as DbError from '../../error/DbError.js'
import * as QueryError from '../../error/QueryError.js'
import * as Prepared from '../../query/Prepared.js'
import type { RawRow } from '../Interpreter.js'

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

const equal = (a: unknown, b: unknown): boolean => {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  if (typeof a === 'bigint' || typeof b === 'bigint') return String(a) === String(b)
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null)
    return JSON.stringify(a) === JSON.stringify(b)
  return a === b
}

const order = (a: unknown, b: unknown): number => {
  const x = a instanceof Date ? a.getTime() : a
  const y = b instanceof Date ? b.getTime() : b
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0
}

const likeRegex = (pattern: string, ci: boolean): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/%/g, '.*')
      .replace(/_/g, '.')}$`,
    ci ? 'is' : 's',
  )

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
      return e.value
    case 'Bool':
      return e.value
    case 'Compare': {
      const l = value(tables, env, e.left)
      const r = value(tables, env, e.right)
      if (isNullish(l) || isNullish(r)) return null
      const c = e.op === 'eq' || e.op === 'neq' ? (equal(l, r) ? 0 : 1) : order(l, r)
      return { eq: c === 0, neq: c !== 0, lt: c < 0, lte: c <= 0, gt: c > 0, gte: c >= 0 }[e.op]
    }
    case 'InList': {
      const v = value(tables, env, e.expr)
      if (isNullish(v)) return null
      if (e.values.some(x => !isNullish(x) && equal(v, x))) return true
      return e.values.some(isNullish) ? null : false
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
      return likeRegex(String(p), e.caseInsensitive).test(String(v))
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
// destructors
// -------------------------------------------------------------------------------------

const run = (tables: Tables, w: Write): Written => {
  switch (w._tag) {
    case 'Insert': {
      const existing = rowsOf(tables, w.table)
      const all = [...new Set([...w.columns, ...w.generated, ...w.returning])]
      const next = new Map<string, number>()
      for (const g of w.generated) {
        const ns = existing.map(r => r[g]).filter((v): v is number => typeof v === 'number')
        next.set(g, ns.length === 0 ? 1 : Math.max(...ns) + 1)
      }
      const out: Array<RawRow> = [...existing]
      const returned: Array<RawRow> = []
      for (const values of w.rows) {
        const given = new Map(w.columns.map((c, i) => [c, value(tables, new Map(), values[i] as Expr)]))
        const row: Record<string, unknown> = {}
        for (const c of all) {
          if (given.has(c)) row[c] = given.get(c)
          else if (next.has(c) && existing.every(r => isNullish(r[c]) || typeof r[c] === 'number')) {
            const n = next.get(c) as number
            row[c] = n
            next.set(c, n + 1)
          } else row[c] = null
        }
        const conflict =
          w.key.length > 0 &&
          w.key.every(k => !isNullish(row[k])) &&
          out.some(r => w.key.every(k => equal(r[k], row[k])))
        if (conflict) {
          if (w.onConflict === 'nothing') continue
          throw new Stop(
            DbError.make(
              'UniqueViolation',
              `duplicate key value violates unique constraint on "${w.table}" (${w.key.join(', ')})`,
              '23505',
            ),
          )
        }
        out.push(row)
        returned.push(project(row, w.returning))
      }
      return { tables: new Map(tables).set(w.table, out), rows: returned }
    }
    case 'Update': {
      const rows = rowsOf(tables, w.binding.table)
      const returned: Array<RawRow> = []
      const out = rows.map(r => {
        if (!matches(tables, w.binding.alias, w.where, r)) return r
        const env = new Map([[w.binding.alias, r]])
        const changed = { ...r, ...Object.fromEntries(w.set.map(([c, p]) => [c, value(tables, env, p)])) }
        returned.push(project(changed, w.returning))
        return changed
      })
      return { tables: new Map(tables).set(w.binding.table, out), rows: returned }
    }
    case 'Delete': {
      const rows = rowsOf(tables, w.binding.table)
      const gone = rows.filter(r => matches(tables, w.binding.alias, w.where, r))
      return {
        tables: new Map(tables).set(
          w.binding.table,
          rows.filter(r => !gone.includes(r)),
        ),
        rows: gone.map(r => project(r, w.returning)),
      }
    }
  }
}

/**
 * Runs one write statement over the tables (see the module doc for the exact contract).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast } from 'quiver-sql'
 * import { write } from 'quiver-sql/dist/interpreter/memory/Write.js'
 * const ins = Ast.Write.insert({
 *   table: 'tags', columns: ['name'], rows: [[Ast.Expr.param('sql')]], generated: ['id'],
 *   key: ['id'], onConflict: 'raise', returning: ['id', 'name'],
 * })
 * const r = write(new Map([['tags', [{ id: 1, name: 'x' }]]]), ins)
 * assert.deepStrictEqual(E.map(w => w.rows)(r), E.right([{ id: 2, name: 'sql' }]))
 *
 * @category destructors
 * @since 0.1.0
 */
export const write = (tables: Tables, w: Write): E.Either<WriteEvalError, Written> => {
  try {
    return E.right(run(tables, w))
  } catch (u) {
    if (u instanceof Stop) return E.left(u.error)
    throw u
  }
}
