/**
 * Structural checks of AST trees from untyped callers. The companions never throw, so a tree an
 * untyped caller assembled may hold what no statement can be made of: a node nobody built, a field of
 * the wrong type, an operator outside its union, a marker a companion left for input it could not use
 * (`Node.refuse`), or nesting deep enough to exhaust a recursive compiler. `select`, `expr` and `write`
 * walk a tree without recursion and name its first problem, so the public compilers can answer with a
 * `Left` before any SQL exists. A value that is not a node, in an expression's place, is a value (a
 * parameter), and is fine.
 *
 * @since 0.1.0
 */
import * as Expr from './Expr.js'
import * as Node from './Node.js'

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const compareOps: ReadonlySet<unknown> = new Set<Expr.CompareOp>(['eq', 'neq', 'lt', 'lte', 'gt', 'gte'])
const dirs: ReadonlySet<unknown> = new Set(['asc', 'desc'])
const nullsPlacements: ReadonlySet<unknown> = new Set(['first', 'last', 'default'])
const joinKinds: ReadonlySet<unknown> = new Set(['inner', 'left'])

/**
 * The deepest nesting the checks accept: far above `Expr.maxDepth` (preload and through subqueries
 * add levels of their own), far below what exhausts a recursive compiler's stack.
 *
 * @category utils
 * @since 0.1.0
 */
export const maxDepth = 1000

type Item = readonly ['expr' | 'cond' | 'select', unknown, number]
type Field = Readonly<Record<string, unknown>>
const fields = (u: unknown): Field => u as Field

const isText = (u: unknown): u is string => typeof u === 'string'
const isList = (u: unknown): u is ReadonlyArray<unknown> => Array.isArray(u)
const isCount = (u: unknown): boolean => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0

// An fp-ts Option of a value `ok` accepts.
const option = (u: unknown, ok: (v: unknown) => boolean): boolean => {
  if (typeof u !== 'object' || u === null) return false
  const o = u as Field
  return o['_tag'] === 'None' || (o['_tag'] === 'Some' && ok(o['value']))
}

const binding = (u: unknown): boolean =>
  typeof u === 'object' && u !== null && isText(fields(u)['table']) && isText(fields(u)['alias'])

// One step of the walk: the problem of `x`, or undefined after pushing its children.
const visitExpr = (
  x: unknown,
  d: number,
  push: (i: Item) => void,
  condition: boolean,
): string | undefined => {
  // A value where a condition is expected (`Pred.or(p, 'true')` from untyped input) would be a
  // parameter PostgreSQL reads as a boolean: refused, never a filter that holds for every row.
  if (!Expr.isExpr(x))
    return Node.refusal(x) ?? (condition ? 'expected a condition built by Pred, got a value' : undefined)
  const e = x
  const sub = (c: unknown) => push(['expr', c, d + 1])
  const cond = (c: unknown) => push(['cond', c, d + 1])
  switch (e._tag) {
    case 'ColumnRef':
      return isText(e.alias) && isText(e.column)
        ? undefined
        : 'a column reference names its binding and column as text'
    case 'Param':
      return Node.refusal(e.value)
    case 'Bool':
      return typeof e.value === 'boolean' ? undefined : 'a boolean literal holds true or false'
    case 'Compare':
      if (!compareOps.has(e.op)) return `unknown comparison operator '${String(e.op)}'`
      sub(e.left)
      sub(e.right)
      return undefined
    case 'InList':
      if (!isList(e.values)) return 'a list membership holds a list of values'
      for (const v of e.values) {
        const r = Node.refusal(v)
        if (r !== undefined) return r
      }
      sub(e.expr)
      return undefined
    case 'IsNull':
      sub(e.expr)
      return undefined
    case 'Not':
    case 'NotTrue':
      cond(e.expr)
      return undefined
    case 'And':
    case 'Or':
      if (!isList(e.exprs)) return `${e._tag.toLowerCase()} holds a list of expressions`
      for (const c of e.exprs) cond(c)
      return undefined
    case 'Like':
      if (typeof e.caseInsensitive !== 'boolean') return 'like says whether it ignores case'
      sub(e.expr)
      sub(e.pattern)
      return undefined
    case 'Fragment':
      if (
        !isList(e.strings) ||
        !isList(e.args) ||
        e.strings.length !== e.args.length + 1 ||
        !e.strings.every(isText)
      )
        return 'a fragment holds text pieces one more than its arguments'
      for (const c of e.args) sub(c)
      return undefined
    case 'Exists':
      push(['select', e.select, d + 1])
      return undefined
  }
}

const visitSelect = (u: unknown, d: number, push: (i: Item) => void): string | undefined => {
  if (!Node.isNode(u) || fields(u)['_tag'] !== 'Select') return 'expected a select built by Ast.Select.create'
  const s = fields(u)
  const sub = (c: unknown) => push(['expr', c, d + 1])
  const cond = (c: unknown) => push(['cond', c, d + 1])
  if (!binding(s['from'])) return 'a select reads from a binding with a table and an alias'
  const { columns, joins, where, orderBy } = s
  if (!isList(columns) || !isList(joins) || !isList(where) || !isList(orderBy))
    return 'a select holds lists of columns, joins, conjuncts and order terms'
  for (const c of columns) {
    if (typeof c !== 'object' || c === null || !isText(fields(c)['name']))
      return 'an output column has a name'
    sub(fields(c)['expr'])
  }
  for (const j of joins) {
    if (!Node.isNode(j) || fields(j)['_tag'] !== 'Join') return 'expected a join built by Ast.Select.join'
    if (!joinKinds.has(fields(j)['kind']) || !binding(fields(j)['binding']))
      return 'a join is inner or left, onto a binding with a table and an alias'
    cond(fields(j)['on'])
  }
  for (const w of where) cond(w)
  for (const t of orderBy) {
    if (
      typeof t !== 'object' ||
      t === null ||
      !dirs.has(fields(t)['dir']) ||
      !nullsPlacements.has(fields(t)['nulls'])
    )
      return "an order term is 'asc' or 'desc', with nulls 'first', 'last' or 'default'"
    sub(fields(t)['expr'])
  }
  if (!option(s['limit'], isCount) || !option(s['offset'], isCount))
    return 'limit and offset are options of non-negative integers'
  if (typeof s['distinct'] !== 'boolean') return 'distinct is true or false'
  const perParentOk = option(s['perParent'], p => {
    if (typeof p !== 'object' || p === null) return false
    const q = fields(p)
    const keys = q['keys']
    if (!isList(keys)) return false
    for (const k of keys) sub(k)
    return (
      option(q['limit'], isCount) &&
      option(q['offset'], isCount) &&
      option(q['distinctKeys'], k => typeof k === 'object' && k !== null && isText(fields(k)['sqlType']))
    )
  })
  return perParentOk ? undefined : 'a per-parent window holds its keys and options of counts'
}

const walk = (root: Item): string | undefined => {
  const stack: Array<Item> = [root]
  const push = (i: Item) => void stack.push(i)
  try {
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      const [kind, x, d] = top
      if (d > maxDepth) return `the tree is nested deeper than ${maxDepth} levels`
      const problem = kind === 'select' ? visitSelect(x, d, push) : visitExpr(x, d, push, kind === 'cond')
      if (problem !== undefined) return problem
    }
    return undefined
  } catch (u) {
    return `the tree could not be read: ${Node.describe(u)}`
  }
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The first problem of an expression tree, or `undefined`.
 *
 * @category destructors
 * @since 0.1.0
 */
export const expr = (e: unknown): string | undefined => walk(['expr', e, 1])

/**
 * The first problem of a condition (a `where` conjunct, a join's `on`): like `expr`, and a value that
 * is not a node, which would be a parameter read as a boolean, is one.
 *
 * @category destructors
 * @since 0.1.0
 */
export const condition = (e: unknown): string | undefined => walk(['cond', e, 1])

/**
 * The first problem of a select tree, or `undefined`.
 *
 * @category destructors
 * @since 0.1.0
 */
export const select = (s: unknown): string | undefined => walk(['select', s, 1])

const params = (row: unknown, width: number): string | undefined => {
  if (!isList(row)) return 'each row is a list of values'
  for (const p of row) {
    if (!Expr.isExpr(p) || p._tag !== 'Param') return 'row values are parameters built by Ast.Expr.param'
    const r = Node.refusal(p.value)
    if (r !== undefined) return r
  }
  return row.length === width ? undefined : 'each row holds one value per column'
}

const texts = (u: unknown): boolean => isList(u) && u.every(isText)

/**
 * The first problem of a write statement, or `undefined`.
 *
 * @category destructors
 * @since 0.1.0
 */
export const write = (u: unknown): string | undefined => {
  try {
    if (!Node.isNode(u)) return 'expected a statement built by Ast.Write.insert, update or delete_'
    const w = fields(u)
    if (!texts(w['returning'])) return 'a statement returns a list of columns'
    switch (w['_tag']) {
      case 'Insert': {
        const columns = w['columns']
        if (!isText(w['table']) || !texts(columns) || !texts(w['generated']) || !texts(w['key']))
          return 'an insert names its table, columns, generated and key columns as text'
        if (w['onConflict'] !== 'raise' && w['onConflict'] !== 'nothing')
          return "onConflict is 'raise' or 'nothing'"
        const rows = w['rows']
        if (!isList(rows) || rows.length === 0) return 'an insert holds at least one row'
        for (const r of rows) {
          const p = params(r, (columns as ReadonlyArray<string>).length)
          if (p !== undefined) return p
        }
        return undefined
      }
      case 'Update': {
        const set = w['set']
        if (!binding(w['binding']) || !isList(set) || set.length === 0)
          return 'an update names its binding and sets columns'
        for (const pair of set) {
          if (!isList(pair) || !isText(pair[0])) return 'an update sets named columns'
          const p = params([pair[1]], 1)
          if (p !== undefined) return p
        }
        return whereOf(w['where'])
      }
      case 'Delete':
        return binding(w['binding']) ? whereOf(w['where']) : 'a delete names its binding'
      default:
        return 'expected a statement built by Ast.Write.insert, update or delete_'
    }
  } catch (x) {
    return `the statement could not be read: ${Node.describe(x)}`
  }
}

const whereOf = (where: unknown): string | undefined => {
  if (!isList(where)) return 'a filter is a list of conjuncts'
  for (const c of where) {
    const p = condition(c)
    if (p !== undefined) return p
  }
  return undefined
}
