/**
 * Queries as expressions of other queries (`Pred.exists`, `Pred.in`, `Fn.scalar`): the alias
 * namespaces that keep an embedded query's bindings apart from the bindings around it, and the errors
 * an embedded query carries into the query that holds it. Internal: not exported from the package.
 *
 * Every query numbers its bindings from its own root: the top-level namespace is `t0`, `t1` ... (with
 * relation aggregates at `e1_0` ...). A callback (`Query.where((p, $) => ...)`) may build another
 * query that refers to the outer row (`p.id` is `t0`), and that query would bind `t0` too: the two
 * could no longer be told apart. So a query whose callback runs inside another callback first moves to
 * a namespace of its own (`q7_0`, `q7_1`, `q7_e1_0` ...), fresh for the process, and its terms are
 * handed out under it. When a query is embedded, its namespace is renamed to a deterministic one,
 * `s<k>_` with `k` one more than the deepest `s` level inside it: along any path from a reference out
 * to its binding the levels strictly grow, so no binding between them has its name, and siblings may
 * share names (SQL scopes keep them apart). References to aliases it does not bind (the outer rows)
 * are left as they are.
 *
 * Aliases alone cannot tell one query's terms from another's (every top-level root is `t0`), so each
 * query also has an identity (`Make.Query.scope`) that owns the column terms its callbacks hand out
 * (`Make.owned`), and the queries whose callbacks are running are known (`inCallback`): `foreign`
 * finds a term a query may not read, one of another query kept from its callback.
 *
 * @since 0.1.0
 */
import * as Ex from '../ast/Expr.js'
import type * as Expr from '../ast/Expr.js'
import * as Node from '../ast/Node.js'
import type * as Select from '../ast/Select.js'
import * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import * as Make from './Make.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never

/**
 * The type of the one output of a projection `R`, or `never` when it has none or several (or is whole
 * rows).
 *
 * @category model
 * @since 0.1.0
 */
export type OutputOf<R> = [R] extends [Make.Whole]
  ? never
  : [keyof R] extends [never]
    ? never
    : true extends IsUnion<keyof R>
      ? never
      : R[keyof R]

/**
 * What a query given where one output is expected must also be: nothing more when its projection has
 * exactly one output, else a type no query has (a compile error naming the rule).
 *
 * @category model
 * @since 0.1.0
 */
export type OneOutput<R> = [OutputOf<R>] extends [never]
  ? { readonly 'a query with exactly one output (Query.select(p => ({ x: p.id })))': never }
  : unknown

// -------------------------------------------------------------------------------------
// namespaces
// -------------------------------------------------------------------------------------

let depth = 0
let fresh = 0
// The scopes (`Make.Query.scope`) whose callbacks are running, innermost last.
const running: Array<number> = []

/**
 * Runs a callback of a combinator, counting how deep in callbacks the program is; `scope` is the
 * identity of the query whose terms the callback was given: while it runs, the queries built inside it
 * may read them (a correlated subquery, a lateral join).
 *
 * @category utils
 * @since 0.1.0
 */
export const inCallback = <A>(f: () => A, scope?: number): A => {
  depth++
  if (scope !== undefined) running.push(scope)
  try {
    return f()
  } finally {
    depth--
    if (scope !== undefined) running.pop()
  }
}

/**
 * Whether a callback given the terms of query identity `scope` is running (see `inCallback`).
 *
 * @category utils
 * @since 0.2.0
 */
export const isRunning = (scope: number): boolean => {
  for (let i = running.length - 1; i >= 0; i--) if (running[i] === scope) return true
  return false
}

/**
 * Whether a callback is running (a query whose callback runs now must take a namespace of its own).
 *
 * @category utils
 * @since 0.1.0
 */
export const nested = (): boolean => depth > 0

/**
 * The namespace of a query: `''` for the top-level one (`t0`), else the prefix of its root alias.
 *
 * @category utils
 * @since 0.1.0
 */
export const namespaceOf = (s: Select.Select): string => {
  const a = s.from.alias
  return a === 't0' ? '' : a.replace(/\d+$/, '')
}

/**
 * The alias of binding `i` in a namespace.
 *
 * @category utils
 * @since 0.1.0
 */
export const aliasIn = (ns: string, i: number): string => (ns === '' ? `t${i}` : `${ns}${i}`)

/**
 * The prefix of the relation aggregates' aliases in a namespace (`e1_0`, `q7_e1_0`).
 *
 * @category utils
 * @since 0.1.0
 */
export const aggregatesIn = (ns: string): string => `${ns}e`

/**
 * A namespace no query has yet, for a query built inside a callback whose bindings must not be
 * confused with the outer rows its parts read (`Query.fromQuery`).
 *
 * @category utils
 * @since 0.2.0
 */
export const freshNamespace = (): string => `q${++fresh}_`

// The alias a binding of namespace `from` takes in namespace `to`; undefined for any other alias.
const mover = (from: string, to: string) => (a: string) =>
  from === ''
    ? /^t\d+$/.test(a)
      ? `${to}${a.slice(1)}`
      : /^e\d+_\d+$/.test(a)
        ? `${to}${a}`
        : undefined
    : a.startsWith(from)
      ? `${to}${a.slice(from.length)}`
      : undefined

const isPlain = (u: object): boolean => {
  const p: unknown = Object.getPrototypeOf(u)
  return p === Object.prototype || p === null
}

const renameIn = (rename: (a: string) => string | undefined) => Make.rewrite(rename)

/**
 * A query moved to a fresh namespace of its own (its select and its joined bindings), so that the terms
 * its callbacks hand out cannot be confused with those of the queries around it.
 *
 * @category combinators
 * @since 0.1.0
 */
export const isolate = <Q extends Make.AnyQuery>(q: Q): Q => {
  const to = freshNamespace()
  const move = mover(namespaceOf(q.select), to)
  const walk = renameIn(move)
  return Make.make({
    ...q,
    select: walk(q.select) as Select.Select,
    joined: new Map([...q.joined].map(([k, b]) => [k, { ...b, alias: move(b.alias) ?? b.alias }])),
    // its bindings answer to other aliases now: terms handed out before are not its terms
    scope: Make.freshScope(),
  })
}

// The deepest `s` level bound inside a select.
const level = (s: Select.Select): number => {
  let max = 0
  const stack: Array<unknown> = [s]
  for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
    if (typeof x !== 'object' || x === null) continue
    if (Array.isArray(x)) {
      for (const y of x) stack.push(y)
      continue
    }
    if (!Node.isNode(x) && !isPlain(x)) continue
    const tag = (x as { readonly _tag?: unknown })._tag
    if (tag === 'Param') continue
    for (const [k, v] of Object.entries(x)) {
      if (k === 'alias' && typeof v === 'string') {
        const m = /^s(\d+)_/.exec(v)
        if (m !== null) max = Math.max(max, Number(m[1]))
      } else if (!(tag === 'InList' && k === 'values')) stack.push(v)
    }
  }
  return max
}

// -------------------------------------------------------------------------------------
// identity
// -------------------------------------------------------------------------------------

/**
 * A column term found by `foreign`: its owner and its column.
 *
 * @category model
 * @since 0.2.0
 */
export type Stray = Make.Owner & { readonly column: string }

/**
 * Why a term of another query (`foreign`) is refused: names its column, binding and schema.
 *
 * @category destructors
 * @since 0.2.0
 */
export const strayMessage = (owner: Stray): string =>
  `column '${owner.column}' of binding '${owner.binding}'${owner.schema === '' ? '' : ` (schema '${owner.schema}')`} belongs to another query: a term can be used only in the query whose callback gave it (and in the queries built inside that callback), not kept and used in another`

/**
 * The error of a term of another query (`foreign`) met at `place`.
 *
 * @category constructors
 * @since 0.2.0
 */
export const strayTerm = (place: string, owner: Stray): QueryError.QueryError =>
  QueryError.make(
    'InvalidArgument',
    `${place}: ${strayMessage(owner)}`,
    owner.schema === '' ? null : owner.schema,
    owner.binding === owner.schema ? null : owner.binding,
  )

/**
 * The first column term of `e` that the query of identity `scope` cannot read, with its owner: one
 * owned (`Make.owned`) by a query identity that is neither `scope` nor one whose callback is running
 * (the queries around the one being built, whose rows a correlated subquery or a lateral join reads
 * while their callbacks run). Inside a subquery of `e`, a reference to a binding of that subquery (or
 * of one around it inside `e`) is the subquery's own, checked when it was built. A reference with no
 * owner (the query layer's own, or one assembled with `Ast`) is not judged. Only what `e` holds is
 * walked. Total: a tree that cannot be read is left to `Check`.
 *
 * @category destructors
 * @since 0.2.0
 */
export const foreign = (e: Expr.Expr, scope: number): Stray | undefined => {
  try {
    return strayIn(e, scope, undefined)
  } catch {
    return undefined
  }
}

// The walk of `foreign` over an expression, `bound` the aliases bound by the subqueries around it
// (`undefined` outside any): recursive, with nothing allocated outside subqueries (it runs for every
// term a combinator takes; `Check` has bounded the depth).
const strayIn = (x: Expr.Expr, scope: number, bound: ReadonlySet<string> | undefined): Stray | undefined => {
  if (!Ex.isExpr(x)) return undefined
  switch (x._tag) {
    case 'ColumnRef':
      return bound !== undefined && bound.has(x.alias) ? undefined : strayRef(x, scope)
    case 'Param':
    case 'Bool':
      return undefined
    case 'Compare':
    case 'Arith':
      return strayIn(x.left, scope, bound) ?? strayIn(x.right, scope, bound)
    case 'And':
    case 'Or':
      for (const c of x.exprs) {
        const found = strayIn(c, scope, bound)
        if (found !== undefined) return found
      }
      return undefined
    case 'Exists':
    case 'Scalar':
      return strayInSelect(x.select, scope, bound)
    case 'InSelect':
      return strayIn(x.expr, scope, bound) ?? strayInSelect(x.select, scope, bound)
    default:
      for (const [c] of Make.innerOf(x)) {
        const found = strayIn(c, scope, bound)
        if (found !== undefined) return found
      }
      return undefined
  }
}

const strayRef = (x: Expr.ColumnRef, scope: number): Stray | undefined => {
  const owner = Make.ownerOf(x)
  return owner !== undefined && owner.scope !== scope && !isRunning(owner.scope)
    ? { ...owner, column: x.column }
    : undefined
}

// The walk of `foreign` over a subquery, with the aliases it binds added to those around it.
const strayInSelect = (
  sel: Select.Select,
  scope: number,
  outer: ReadonlySet<string> | undefined,
): Stray | undefined => {
  const bound = new Set(outer)
  bound.add(sel.from.alias)
  for (const j of sel.joins) bound.add(j.binding.alias)
  const parts: Array<Expr.Expr> = []
  for (const j of sel.joins) parts.push(j.on)
  for (const o of sel.columns) parts.push(o.expr)
  parts.push(...sel.where, ...sel.groupBy, ...sel.having, ...sel.distinctOn)
  for (const t of sel.orderBy) parts.push(t.expr)
  if (sel.perParent._tag === 'Some') parts.push(...sel.perParent.value.keys)
  for (const p of parts) {
    const found = strayIn(p, scope, bound)
    if (found !== undefined) return found
  }
  const derived = [sel.from.select, ...sel.joins.map(j => j.binding.select)]
  for (const d of derived) {
    const found = d === undefined ? undefined : strayInSelect(d, scope, bound)
    if (found !== undefined) return found
  }
  return undefined
}

// -------------------------------------------------------------------------------------
// embedding
// -------------------------------------------------------------------------------------

/**
 * What a query becomes inside another: its select under a namespace no reference inside it can be
 * confused with, and its errors; or why it cannot stand there.
 *
 * @category model
 * @since 0.1.0
 */
export interface Embedded {
  readonly select: Select.Select
  readonly errors: ReadonlyArray<QueryError.QueryError>
}

/**
 * A query as a subquery (see the module doc); `outputs` is how many outputs it must have (`undefined`:
 * any, whole rows included). Total: a value that is not a query is an error.
 *
 * @category destructors
 * @since 0.1.0
 */
export const embed = (fn: string, q: unknown, outputs?: number): Embedded | string => {
  if (!Make.isQuery(q)) return `${fn}: expected a query (Query.from(model, schema) ...), got ${show(q)}`
  if (outputs !== undefined && (!q.projected || q.select.columns.length !== outputs))
    return `${fn}: expected a query with exactly ${outputs} output (Query.select(p => ({ x: p.id }))), got ${q.projected ? `${q.select.columns.length} outputs` : 'whole rows'}`
  const s = renameIn(mover(namespaceOf(q.select), `s${level(q.select) + 1}_`))(q.select) as Select.Select
  // The inner query's own findings are errors of the outer one now: copies, so that the outer query's
  // re-examination of itself (which drops its own earlier findings) keeps them.
  return { select: s, errors: q.errors.map(e => QueryError.make(e.code, e.message, e.schema, e.association)) }
}

const carried = new WeakMap<object, ReadonlyArray<QueryError.QueryError>>()
let carrying = 0

/**
 * Records the errors of an embedded query on the expression it became (returns it).
 *
 * @category constructors
 * @since 0.1.0
 */
export const carry = <E extends Expr.Expr>(e: E, errors: ReadonlyArray<QueryError.QueryError>): E => {
  if (errors.length > 0) {
    carried.set(e, errors)
    carrying++
  }
  return e
}

/**
 * The errors the subqueries inside an expression carry. Total.
 *
 * @category destructors
 * @since 0.1.0
 */
export const errorsIn = (e: unknown): ReadonlyArray<QueryError.QueryError> => {
  if (carrying === 0 || !Ex.isExpr(e)) return []
  const out = new Set<QueryError.QueryError>()
  const stack: Array<Expr.Expr> = [e]
  for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
    for (const err of carried.get(x) ?? []) out.add(err)
    for (const [c] of Make.innerOf(x)) stack.push(c)
  }
  return [...out]
}

/**
 * The (non-null) information of a projected query's one output, for the term it becomes.
 *
 * @category destructors
 * @since 0.1.0
 */
export const outputInfo = (s: Select.Select): Make.TermInfo => {
  const o = s.columns[0]
  return o === undefined ? Make.unknownInfo : Make.infoOf(o.expr)
}
