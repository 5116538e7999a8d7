/**
 * The write statements of the AST: `Insert`, `Update` and `Delete`, interpreter-neutral like the
 * select. Values are `Param` expressions; filters reuse `Expr` (so a cascade can say "children of the
 * rows that match" with an `Exists`); every statement names the columns it returns, so an interpreter
 * can report the rows it wrote or matched (a delete reports the rows it removed).
 *
 * A value that is only known once an earlier statement of a plan has run (the id of a row inserted
 * before) is a `Ref` inside a `Param`; a plan runner replaces it before the statement reaches an
 * interpreter.
 *
 * @since 0.1.0
 */
import * as Ex from './Expr.js'
import type { Expr, Param } from './Expr.js'
import * as Node from './Node.js'
import * as Values from './Values.js'
import type { Binding, Select } from './Select.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

// The brand of plan references: set by `ref` only, never exported, so no other code can make a value
// that carries it.
const refBrand: unique symbol = Symbol('quiver.ast.write.ref')

// The references `ref` made. A symbol can be read off any real reference (`getOwnPropertySymbols`) and
// a proxy can answer for any key, so `isRef` decides by identity: no copy, spread, proxy or object
// inheriting from a reference is one.
const refs = new WeakSet<object>()

/**
 * A value returned by an earlier statement of the same plan: column `column` of the first row that
 * statement `step` returned. Only `ref` makes one: a user value shaped like it (frozen or not, a spread
 * of a real one, an object inheriting from one) is a value.
 *
 * @category model
 * @since 0.1.0
 */
export interface Ref extends Node.Branded {
  readonly [refBrand]: true
  readonly _tag: 'Ref'
  readonly step: number
  readonly column: string
}

/**
 * What an upsert does with a row whose key is already there: `Nothing` skips it; `Update` updates
 * the existing row with `set`, whose expressions read the existing row under the insert's `alias`
 * and the proposed row under the alias `excluded`.
 *
 * @category model
 * @since 0.2.0
 */
export type ConflictAction =
  | { readonly _tag: 'Nothing' }
  | { readonly _tag: 'Update'; readonly set: ReadonlyArray<readonly [string, Expr]> }

/**
 * `on conflict (target) do ...` / `on conflict on constraint "name" do ...`: the unique key the
 * conflict is about (its columns: the memory interpreter's arbiter; `constraint`, when given, is the
 * name the SQL uses instead of the column list) and the action. Made by `conflict` only.
 *
 * @category model
 * @since 0.2.0
 */
export interface Conflict extends Node.Branded {
  readonly _tag: 'Conflict'
  readonly target: ReadonlyArray<string>
  readonly constraint: string | null
  /** The alias the target table takes in the statement (what `Update` reads the existing row as). */
  readonly alias: string
  readonly action: ConflictAction
}

/**
 * `insert into table (columns) values (...), ... [on conflict ...] returning ...`, or, with `select`,
 * `insert into table (columns) select ...` (the select's outputs in `columns` order; `rows` empty).
 *
 * @category model
 * @since 0.1.0
 */
export interface Insert extends Node.Branded {
  readonly _tag: 'Insert'
  readonly table: string
  readonly columns: ReadonlyArray<string>
  /** One list of values per row, in `columns` order (empty when `arrays` gives the rows). */
  readonly rows: ReadonlyArray<ReadonlyArray<Param>>
  /**
   * The rows given column by column instead (a bulk insert: one parameter per column, not one per
   * value): `arrays[i]` is a parameter whose value lists the value of column `i` of every row, in row
   * order; `rows` is then empty. The rows and what they do are the same as in `rows`; the values are
   * values (no plan reference, no placeholder).
   */
  readonly arrays?: ReadonlyArray<Param>
  /** Columns the database fills when omitted (identity, defaults). Memory numbers integer ones. */
  readonly generated: ReadonlyArray<string>
  /** The columns whose values must be unique (the primary key): what a conflict is about. */
  readonly key: ReadonlyArray<string>
  /**
   * `raise`: a key conflict is an error; `nothing`: a row conflicting on any unique key is skipped;
   * a `Conflict`: the conflict on one unique key is handled by its action (an upsert).
   */
  readonly onConflict: 'raise' | 'nothing' | Conflict
  readonly returning: ReadonlyArray<string>
  /** The rows come from a select instead of `rows` (insert ... select). */
  readonly select?: Select
  /**
   * The SQL type of each column, in `columns` order (null: not known). With them a lowering may send
   * many rows as one array per column, cast to these types (PostgreSQL: `unnest`), instead of one
   * parameter per value; the rows and what they do are the same.
   */
  readonly types?: ReadonlyArray<string | null>
}

/**
 * `update table as alias set column = expression, ... where conjuncts returning ...`. The
 * expressions read the row being updated under the binding's alias (`views = views + 1`).
 *
 * @category model
 * @since 0.1.0
 */
export interface Update extends Node.Branded {
  readonly _tag: 'Update'
  readonly binding: Binding
  readonly set: ReadonlyArray<readonly [string, Expr]>
  readonly where: ReadonlyArray<Expr>
  readonly returning: ReadonlyArray<string>
}

/**
 * `delete from table as alias where conjuncts returning ...`.
 *
 * @category model
 * @since 0.1.0
 */
export interface Delete extends Node.Branded {
  readonly _tag: 'Delete'
  readonly binding: Binding
  readonly where: ReadonlyArray<Expr>
  readonly returning: ReadonlyArray<string>
}

/**
 * `select columns from table as alias where conjuncts for key share`: a plan reads rows it needs whole
 * but does not change (a record linked by its key alone), so its result holds every column without a
 * reload. The rows stay locked against deletion and key changes until the transaction ends (the lock
 * an insert referencing them takes anyway); nothing is written, so no trigger fires and no row version
 * is made.
 *
 * @category model
 * @since 0.2.0
 */
export interface Read extends Node.Branded {
  readonly _tag: 'Read'
  readonly binding: Binding
  readonly where: ReadonlyArray<Expr>
  readonly returning: ReadonlyArray<string>
}

/**
 * A statement of a write plan: the closed union of insert, update, delete and the read of rows a plan
 * links. `Sql.statementToSql` compiles one; the memory interpreter runs one.
 *
 * @category model
 * @since 0.1.0
 */
export type Write = Insert | Update | Delete | Read

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A reference to column `column` of the first row returned by statement `step` of the same plan (see `Ref`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Write } = Ast
 * const r = Write.ref(0, 'id')
 * assert.ok(Write.isRef(r))
 * assert.ok(!Write.isRef({ ...r }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const ref = (step: number, column: string): Ref => {
  const r = Node.make(
    // Not enumerable, as the node brand: a spread of a reference does not copy it.
    Object.defineProperty({ _tag: 'Ref' as const, step, column }, refBrand, {
      value: true,
      enumerable: false,
    }),
  ) as Ref
  refs.add(r)
  return r
}

/**
 * The conflict clause of an upsert (see `Conflict`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Write } = Ast
 * const ins = Write.insert({
 *   table: 'tags', columns: ['name'], rows: [[Expr.param('sql')]], generated: ['id'], key: ['id'],
 *   onConflict: Write.conflict({ target: ['name'], constraint: null, alias: 't0', action: { _tag: 'Nothing' } }),
 *   returning: ['id'],
 * })
 * assert.deepStrictEqual(Sql.statementToSql(ins), E.right({
 *   text: 'insert into "tags" as "t0" ("name") values ($1) on conflict ("name") do nothing returning "id"',
 *   params: ['sql'],
 * }))
 *
 * @category constructors
 * @since 0.2.0
 */
export const conflict = (fields: Omit<Conflict, '_tag' | typeof Node.brand>): Conflict =>
  Node.total(
    'Write.conflict',
    () => Node.make({ ...fields, _tag: 'Conflict' as const }),
    reason =>
      Node.make({
        target: [Node.refuse(reason) as never],
        constraint: null,
        alias: '',
        action: { _tag: 'Nothing' as const },
        _tag: 'Conflict' as const,
      }),
  )

/**
 * An insert statement (see `Insert`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Write } = Ast
 * const ins = Write.insert({
 *   table: 'posts',
 *   columns: ['title'],
 *   rows: [[Expr.param('Hi')]],
 *   generated: ['id'],
 *   key: ['id'],
 *   onConflict: 'raise',
 *   returning: ['id'],
 * })
 * assert.deepStrictEqual(Sql.statementToSql(ins), E.right({
 *   text: 'insert into "posts" ("title") values ($1) returning "id"',
 *   params: ['Hi'],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const insert = (fields: Omit<Insert, '_tag' | typeof Node.brand>): Insert =>
  Node.total(
    'Write.insert',
    () => Node.make({ ...fields, _tag: 'Insert' as const }),
    reason => Node.make({ ...refused(reason), _tag: 'Insert' as const }) as Insert,
  )

/**
 * An update statement (see `Update`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Write } = Ast
 * const up = Write.update({
 *   binding: { table: 'posts', alias: 't0' },
 *   set: [['title', Expr.param('Hi')]],
 *   where: [Expr.eq(Expr.column('t0', 'id'), Expr.param(1))],
 *   returning: [],
 * })
 * assert.deepStrictEqual(Sql.statementToSql(up), E.right({
 *   text: 'update "posts" as "t0" set "title" = $1 where "t0"."id" = $2',
 *   params: ['Hi', 1],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const update = (fields: Omit<Update, '_tag' | typeof Node.brand>): Update =>
  Node.total(
    'Write.update',
    () => Node.make({ ...fields, _tag: 'Update' as const }),
    reason => Node.make({ ...refused(reason), _tag: 'Update' as const }) as Update,
  )

/**
 * A delete statement (see `Delete`); named with a trailing underscore, `delete` being a keyword.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Write } = Ast
 * const del = Write.delete_({ binding: { table: 'posts', alias: 't0' }, where: [], returning: [] })
 * assert.strictEqual(Write.tableOf(del), 'posts')
 *
 * @category constructors
 * @since 0.1.0
 */
export const delete_ = (fields: Omit<Delete, '_tag' | typeof Node.brand>): Delete =>
  Node.total(
    'Write.delete_',
    () => Node.make({ ...fields, _tag: 'Delete' as const }),
    reason => Node.make({ ...refused(reason), _tag: 'Delete' as const }) as Delete,
  )

/**
 * A read of the rows a plan links (see `Read`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Write } = Ast
 * const r = Write.read({
 *   binding: { table: 'tags', alias: 't0' },
 *   where: [Expr.eq(Expr.column('t0', 'id'), Expr.param(3))],
 *   returning: ['id', 'name'],
 * })
 * assert.deepStrictEqual(Sql.statementToSql(r), E.right({
 *   text: 'select "id", "name" from "tags" as "t0" where "t0"."id" = $1 for key share',
 *   params: [3],
 * }))
 *
 * @category constructors
 * @since 0.2.0
 */
export const read = (fields: Omit<Read, '_tag' | typeof Node.brand>): Read =>
  Node.total(
    'Write.read',
    () => Node.make({ ...fields, _tag: 'Read' as const }),
    reason => Node.make({ ...refused(reason), _tag: 'Read' as const }) as Read,
  )

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a value is a reference made by `ref` (by identity: a copy or a look-alike is a value).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Write } = Ast
 * assert.ok(Write.isRef(Write.ref(0, 'id')))
 * assert.ok(!Write.isRef({ _tag: 'Ref', step: 0, column: 'id' }))
 *
 * @category utils
 * @since 0.1.0
 */
export const isRef = (u: unknown): u is Ref => typeof u === 'object' && u !== null && refs.has(u)

/**
 * Whether every value of an insert's rows is a parameter (`Expr.param`) holding a value, none a plan
 * reference (`ref`): its rows need nothing from a plan before they are sent, and each is a `Param`
 * node. Looked at once per statement (a bulk insert's rows are many); an insert given column by column
 * (`arrays`, which `Check.write` makes sure hold values only) is one.
 *
 * @example
 * import { Ast } from 'quiver-sql'
 * const { Expr, Write } = Ast
 * const fields = { table: 'tags', columns: ['name'], generated: [], key: ['id'], onConflict: 'raise' as const, returning: [] }
 * assert.ok(Write.valuesOnly(Write.insert({ ...fields, rows: [[Expr.param('sql')]] })))
 * assert.ok(!Write.valuesOnly(Write.insert({ ...fields, rows: [[Expr.param(Write.ref(0, 'name'))]] })))
 *
 * @category utils
 * @since 0.2.0
 */
export const valuesOnly = (w: Insert): boolean => {
  if (!Node.isNode(w)) return false
  if (w.arrays !== undefined) return true
  // A statement is immutable: the answer (recorded by the constructor that built the rows, or found
  // by looking once) holds for good, and a bulk insert's many values are not looked at again.
  const known = Values.recorded(w)
  if (known !== undefined) return known
  let only = Array.isArray(w.rows)
  try {
    for (let r = 0; only && r < w.rows.length; r++) {
      const row = w.rows[r]
      if (!Array.isArray(row)) only = false
      else
        for (let c = 0; only && c < row.length; c++) {
          const p: unknown = row[c]
          only = Ex.isExpr(p) && p._tag === 'Param' && !isRef(p.value)
        }
    }
  } catch {
    only = false
  }
  return Values.found(w, only)
}

const tables: { readonly [K in Write['_tag']]: (w: Extract<Write, { readonly _tag: K }>) => string } = {
  Insert: w => w.table,
  Update: w => w.binding.table,
  Delete: w => w.binding.table,
  Read: w => w.binding.table,
}

/**
 * The table a statement writes.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Write } = Ast
 * const del = Write.delete_({ binding: { table: 'posts', alias: 't0' }, where: [], returning: [] })
 * assert.strictEqual(Write.tableOf(del), 'posts')
 *
 * @category utils
 * @since 0.1.0
 */
export const tableOf = (w: Write): string =>
  Node.total(
    'Write.tableOf',
    // From untyped code a statement may be of no kind: it writes no table.
    () => (Object.hasOwn(tables, w._tag) ? (tables[w._tag] as (w: Write) => string)(w) : ''),
    () => '',
  )

// The fields of a statement whose input could not be read: `Check.write` refuses it with the reason.
const refused = (reason: string) => ({
  table: '',
  binding: { table: '', alias: '' },
  columns: [],
  rows: [[Ex.param(Node.refuse(reason))]],
  set: [],
  where: [],
  generated: [],
  key: [],
  onConflict: 'raise' as const,
  returning: [],
})
