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
import { isRef, type Write } from './Write.js'

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const compareOps: ReadonlySet<unknown> = new Set<Expr.CompareOp>(['eq', 'neq', 'lt', 'lte', 'gt', 'gte'])
const dirs: ReadonlySet<unknown> = new Set(['asc', 'desc'])
const nullsPlacements: ReadonlySet<unknown> = new Set(['first', 'last', 'default'])
const joinKinds: ReadonlySet<unknown> = new Set<Expr.JoinKind>(['inner', 'left', 'right', 'full'])
const arithOps: ReadonlySet<unknown> = new Set<Expr.ArithOp>(['add', 'sub', 'mul', 'div', 'mod'])
// Each function with the number of arguments it takes: [least, most].
const arities: Readonly<Record<Expr.FnName, readonly [number, number]>> = {
  lower: [1, 1],
  upper: [1, 1],
  length: [1, 1],
  trim: [1, 1],
  abs: [1, 1],
  round: [1, 2],
  neg: [1, 1],
  coalesce: [1, Infinity],
  nullif: [2, 2],
  concat: [2, 2],
  dateTrunc: [1, 1],
}
const truncUnits: ReadonlySet<unknown> = new Set<Expr.TruncUnit>([
  'year',
  'quarter',
  'month',
  'week',
  'day',
  'hour',
  'minute',
  'second',
])
const castTypes: ReadonlySet<unknown> = new Set<Expr.CastType>([
  'integer',
  'bigint',
  'numeric',
  'double',
  'text',
  'boolean',
  'date',
  'timestamptz',
])
// Each aggregate with the number of arguments it takes: [least, most] (`count()` is `count(*)`).
const aggArities: Readonly<Record<Expr.AggFn, readonly [number, number]>> = {
  count: [0, 1],
  sum: [1, 1],
  avg: [1, 1],
  min: [1, 1],
  max: [1, 1],
  boolAnd: [1, 1],
  boolOr: [1, 1],
  arrayAgg: [1, 1],
  stringAgg: [2, 2],
}
const arityOk = (
  table: Readonly<Record<string, readonly [number, number]>>,
  name: unknown,
  n: number,
): boolean =>
  typeof name === 'string' &&
  Object.hasOwn(table, name) &&
  n >= (table[name] as readonly [number, number])[0] &&
  n <= (table[name] as readonly [number, number])[1]

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
// A whole number >= 0, or a prepared query's placeholder (its value is checked when it runs).
const isCount = (u: unknown): boolean =>
  (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0) || Expr.isPlaceholder(u)

// An fp-ts Option of a value `ok` accepts.
const option = (u: unknown, ok: (v: unknown) => boolean): boolean => {
  if (typeof u !== 'object' || u === null) return false
  const o = u as Field
  return o['_tag'] === 'None' || (o['_tag'] === 'Some' && ok(o['value']))
}

const isSome = (u: unknown): boolean => typeof u === 'object' && u !== null && (u as Field)['_tag'] === 'Some'

const binding = (u: unknown): boolean =>
  typeof u === 'object' && u !== null && isText(fields(u)['table']) && isText(fields(u)['alias'])

type Push = (i: Item) => void

// Whether a binding is readable (a table, or a derived table whose select is pushed to be checked).
const bindingOk = (u: unknown, push: Push, d: number): boolean => {
  if (!binding(u)) return false
  const f = fields(u)
  const sub = f['select']
  if (sub === undefined) return f['lateral'] === undefined
  if (f['lateral'] !== undefined && typeof f['lateral'] !== 'boolean') return false
  push(['select', sub, d + 1])
  return true
}

// Each kind of expression: its problem, or undefined after pushing its children (one level deeper).
const exprChecks: {
  readonly [K in Expr.Expr['_tag']]: (
    e: Extract<Expr.Expr, { readonly _tag: K }>,
    push: Push,
    d: number,
  ) => string | undefined
} = {
  ColumnRef: e =>
    isText(e.alias) && isText(e.column)
      ? undefined
      : 'a column reference names its binding and column as text',
  Param: e => Node.refusal(e.value),
  Bool: e => (typeof e.value === 'boolean' ? undefined : 'a boolean literal holds true or false'),
  Compare: (e, push, d) => {
    if (!compareOps.has(e.op)) return `unknown comparison operator '${String(e.op)}'`
    push(['expr', e.left, d + 1])
    push(['expr', e.right, d + 1])
    return undefined
  },
  RowCompare: (e, push, d) => {
    if (!compareOps.has(e.op)) return `unknown comparison operator '${String(e.op)}'`
    if (!isList(e.left) || !isList(e.right) || e.left.length === 0 || e.left.length !== e.right.length)
      return 'a row comparison holds two lists of expressions of one length'
    for (const x of [...e.left, ...e.right]) push(['expr', x, d + 1])
    return undefined
  },
  InList: (e, push, d) => {
    if (!isList(e.values)) return 'a list membership holds a list of values'
    for (const v of e.values) {
      const r = Node.refusal(v)
      if (r !== undefined) return r
    }
    push(['expr', e.expr, d + 1])
    return undefined
  },
  IsNull: (e, push, d) => void push(['expr', e.expr, d + 1]),
  Not: (e, push, d) => void push(['cond', e.expr, d + 1]),
  NotTrue: (e, push, d) => void push(['cond', e.expr, d + 1]),
  And: (e, push, d) => logic(e, push, d),
  Or: (e, push, d) => logic(e, push, d),
  Like: (e, push, d) => {
    if (typeof e.caseInsensitive !== 'boolean') return 'like says whether it ignores case'
    push(['expr', e.expr, d + 1])
    push(['expr', e.pattern, d + 1])
    return undefined
  },
  Fragment: (e, push, d) => {
    if (
      !isList(e.strings) ||
      !isList(e.args) ||
      e.strings.length !== e.args.length + 1 ||
      !e.strings.every(isText)
    )
      return 'a fragment holds text pieces one more than its arguments'
    for (const c of e.args) push(['expr', c, d + 1])
    return undefined
  },
  Exists: (e, push, d) => void push(['select', e.select, d + 1]),
  Scalar: (e, push, d) => void push(['select', e.select, d + 1]),
  InSelect: (e, push, d) => {
    if (e.asArray !== undefined && typeof e.asArray !== 'boolean')
      return 'a membership test says whether it is rendered as = any(array(...)) with true or false'
    push(['expr', e.expr, d + 1])
    push(['select', e.select, d + 1])
    return undefined
  },
  InArray: (e, push, d) => {
    push(['expr', e.expr, d + 1])
    push(['expr', e.array, d + 1])
    return undefined
  },
  Arith: (e, push, d) => {
    if (!arithOps.has(e.op)) return `unknown arithmetic operator '${String(e.op)}'`
    if (typeof e.integer !== 'boolean') return 'arithmetic says whether its operands are integers'
    push(['expr', e.left, d + 1])
    push(['expr', e.right, d + 1])
    return undefined
  },
  Call: (e, push, d) => {
    if (!isList(e.args) || !arityOk(arities, e.fn, e.args.length))
      return `'${String(e.fn)}' is not a function with ${isList(e.args) ? e.args.length : 'those'} arguments`
    if (e.fn === 'dateTrunc' ? !truncUnits.has(e.unit) : e.unit !== undefined)
      return 'only dateTrunc takes a unit, one of year, quarter, month, week, day, hour, minute, second'
    if (e.fn === 'neg' ? typeof e.integer !== 'boolean' : e.integer !== undefined)
      return 'only neg says whether its operand is an integer, and it does'
    for (const a of e.args) push(['expr', a, d + 1])
    return undefined
  },
  Cast: (e, push, d) => {
    if (!castTypes.has(e.type)) return `'${String(e.type)}' is not a type a value can be cast to`
    push(['expr', e.expr, d + 1])
    return undefined
  },
  Case: (e, push, d) => {
    if (!isList(e.whens) || e.whens.length === 0) return 'a case holds one or more branches'
    for (const w of e.whens) {
      if (typeof w !== 'object' || w === null) return 'a case branch holds a condition and a value'
      push(['cond', fields(w)['when'], d + 1])
      push(['expr', fields(w)['then'], d + 1])
    }
    if (!option(e.otherwise, () => true)) return 'the else of a case is an option of an expression'
    if (e.otherwise._tag === 'Some') push(['expr', e.otherwise.value, d + 1])
    return undefined
  },
  Agg: (e, push, d) => {
    if (!isList(e.args) || !arityOk(aggArities, e.fn, e.args.length))
      return `'${String(e.fn)}' is not an aggregate with ${isList(e.args) ? e.args.length : 'those'} arguments`
    if (typeof e.distinct !== 'boolean') return 'an aggregate says whether it is distinct'
    if (!option(e.filter, () => true)) return 'the filter of an aggregate is an option of a condition'
    if (!isList(e.orderBy)) return 'an aggregate holds a list of order terms'
    for (const a of e.args) push(['expr', a, d + 1])
    if (e.filter._tag === 'Some') push(['cond', e.filter.value, d + 1])
    for (const t of e.orderBy) {
      const problem = orderTerm(t, push, d)
      if (problem !== undefined) return problem
    }
    return undefined
  },
}

const orderTerm = (t: unknown, push: Push, d: number): string | undefined => {
  if (
    typeof t !== 'object' ||
    t === null ||
    !dirs.has(fields(t)['dir']) ||
    !nullsPlacements.has(fields(t)['nulls'])
  )
    return "an order term is 'asc' or 'desc', with nulls 'first', 'last' or 'default'"
  push(['expr', fields(t)['expr'], d + 1])
  return undefined
}

const exprList =
  (what: string) =>
  (v: unknown, _: Field, push: Push, d: number, condition = false): string | undefined => {
    if (!isList(v)) return `a select's ${what} is a list of expressions`
    for (const e of v) push([condition ? 'cond' : 'expr', e, d + 1])
    return undefined
  }

const logic = (e: Expr.And | Expr.Or, push: Push, d: number): string | undefined => {
  if (!isList(e.exprs)) return `${e._tag.toLowerCase()} holds a list of expressions`
  for (const c of e.exprs) push(['cond', c, d + 1])
  return undefined
}

// One step of the walk: the problem of `x`, or undefined after pushing its children.
const visitExpr = (x: unknown, d: number, push: Push, condition: boolean): string | undefined =>
  // A value where a condition is expected (`Pred.or(p, 'true')` from untyped input) would be a
  // parameter PostgreSQL reads as a boolean: refused, never a filter that holds for every row.
  // `isExpr` admits only the tags of the union, so the lookup always finds a check.
  Expr.isExpr(x)
    ? (exprChecks[x._tag] as (e: Expr.Expr, push: Push, d: number) => string | undefined)(x, push, d)
    : (Node.refusal(x) ?? (condition ? 'expected a condition built by Pred, got a value' : undefined))

// Each field of a select, read from an untyped tree: its problem, or undefined after pushing the
// expressions it holds. Run in this order (the first problem found is the one named); `s` is the
// whole select, for the checks that look at several fields.
const selectChecks: {
  readonly [K in Expr.SelectField]: (v: unknown, s: Field, push: Push, d: number) => string | undefined
} = {
  // checked before the fields: a select is a node built by `Ast.Select.create`
  _tag: () => undefined,
  from: (v, _, push, d) =>
    !bindingOk(v, push, d)
      ? 'a select reads from a binding with a table and an alias (or a derived table: a select and an alias)'
      : fields(v)['lateral'] === true
        ? 'a select reads from a lateral derived table only in a join'
        : undefined,
  columns: (v, s, push, d) => {
    if (!isList(v) || !isList(s['joins']) || !isList(s['where']) || !isList(s['orderBy']))
      return 'a select holds lists of columns, joins, conjuncts and order terms'
    for (const c of v) {
      if (typeof c !== 'object' || c === null || !isText(fields(c)['name']))
        return 'an output column has a name'
      push(['expr', fields(c)['expr'], d + 1])
    }
    return undefined
  },
  // `joins`, `where` and `orderBy` are lists: `columns` checked that first
  joins: (v, _, push, d) => {
    for (const j of v as ReadonlyArray<unknown>) {
      if (!Node.isNode(j) || fields(j)['_tag'] !== 'Join') return 'expected a join built by Ast.Select.join'
      if (!joinKinds.has(fields(j)['kind']) || !bindingOk(fields(j)['binding'], push, d))
        return 'a join is inner, left, right or full, onto a binding with a table and an alias'
      if (
        fields(fields(j)['binding'])['lateral'] === true &&
        (fields(j)['kind'] === 'right' || fields(j)['kind'] === 'full')
      )
        return 'a lateral derived table is joined inner or left (a right or full join cannot read the rows before it)'
      push(['cond', fields(j)['on'], d + 1])
    }
    return undefined
  },
  where: (v, _, push, d) => {
    for (const w of v as ReadonlyArray<unknown>) push(['cond', w, d + 1])
    return undefined
  },
  orderBy: (v, _, push, d) => {
    for (const t of v as ReadonlyArray<unknown>) {
      const problem = orderTerm(t, push, d)
      if (problem !== undefined) return problem
    }
    return undefined
  },
  limit: v => (option(v, isCount) ? undefined : windowProblem),
  offset: v => (option(v, isCount) ? undefined : windowProblem),
  distinct: v => (typeof v === 'boolean' ? undefined : 'distinct is true or false'),
  distinctOn: (v, s, push, d) =>
    s['distinct'] === true && isList(v) && v.length > 0
      ? 'a select is distinct or distinct on, not both'
      : exprList('distinct on')(v, s, push, d),
  groupBy: exprList('group by'),
  having: (v, s, push, d) => exprList('having')(v, s, push, d, true),
  keyed: v => (isList(v) && v.every(isText) ? undefined : "a select's keyed bindings are a list of aliases"),
  perParent: (v, s, push, d) =>
    // The per-parent lowerings rank the rows `from`, `joins` and `where` give: no grouping there.
    isSome(v) && [s['groupBy'], s['having'], s['distinctOn']].some(l => isList(l) && l.length > 0)
      ? 'a per-parent window does not combine with group by, having or distinct on'
      : option(v, p => {
            if (typeof p !== 'object' || p === null) return false
            const q = fields(p)
            const keys = q['keys']
            if (!isList(keys)) return false
            for (const k of keys) push(['expr', k, d + 1])
            return (
              option(q['limit'], isCount) &&
              option(q['offset'], isCount) &&
              option(
                q['distinctKeys'],
                k => typeof k === 'object' && k !== null && isText(fields(k)['sqlType']),
              )
            )
          })
        ? undefined
        : 'a per-parent window holds its keys and options of counts',
}
const windowProblem = 'limit and offset are options of non-negative integers'
const selectFields = Object.keys(selectChecks) as ReadonlyArray<Expr.SelectField>

const visitSelect = (u: unknown, d: number, push: Push): string | undefined => {
  if (!Node.isNode(u) || fields(u)['_tag'] !== 'Select') return 'expected a select built by Ast.Select.create'
  const s = fields(u)
  for (const k of selectFields) {
    const problem = selectChecks[k](s[k], s, push, d)
    if (problem !== undefined) return problem
  }
  return undefined
}

const walk = (root: Item): string | undefined => {
  const stack: Array<Item> = [root]
  const push: Push = i => void stack.push(i)
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
    if (!Node.isNode(u)) return notAStatement
    const w = fields(u)
    if (!texts(w['returning'])) return 'a statement returns a list of columns'
    // A node of another kind (a select, an expression, a `Ref`) has a tag outside the table.
    const tag = w['_tag']
    return typeof tag === 'string' && Object.hasOwn(writeChecks, tag)
      ? writeChecks[tag as Write['_tag']](w)
      : notAStatement
  } catch (x) {
    return `the statement could not be read: ${Node.describe(x)}`
  }
}

const notAStatement = 'expected a statement built by Ast.Write.insert, update, delete_ or read'

// Each kind of statement, its fields read from an untyped tree (`returning` checked before).
const writeChecks: { readonly [K in Write['_tag']]: (w: Field) => string | undefined } = {
  Insert: w => {
    const columns = w['columns']
    if (!isText(w['table']) || !texts(columns) || !texts(w['generated']) || !texts(w['key']))
      return 'an insert names its table, columns, generated and key columns as text'
    const types = w['types']
    if (
      types !== undefined &&
      !(
        isList(types) &&
        types.length === (columns as ReadonlyArray<string>).length &&
        types.every(x => x === null || isText(x))
      )
    )
      return "an insert's types are one SQL type (text, or null) per column"
    const oc = w['onConflict']
    if (oc !== 'raise' && oc !== 'nothing') {
      const c = conflictOf(oc)
      if (c !== undefined) return c
    }
    const rows = w['rows']
    if (w['select'] !== undefined) {
      // insert ... select: the select gives the rows, one output per column.
      if (!isList(rows) || rows.length !== 0) return 'an insert from a select holds no rows of values'
      const s = select(w['select'])
      if (s !== undefined) return s
      const outputs = fields(w['select'])['columns']
      return isList(outputs) && outputs.length === (columns as ReadonlyArray<string>).length
        ? undefined
        : 'an insert from a select takes one output per column'
    }
    const arrays = w['arrays']
    if (arrays !== undefined) return columnar(arrays, rows, (columns as ReadonlyArray<string>).length)
    if (!isList(rows) || rows.length === 0) return 'an insert holds at least one row'
    for (const r of rows) {
      const p = params(r, (columns as ReadonlyArray<string>).length)
      if (p !== undefined) return p
    }
    return undefined
  },
  Update: w => {
    const set = w['set']
    if (!binding(w['binding']) || !isList(set) || set.length === 0)
      return 'an update names its binding and sets columns'
    const s = assignments(set)
    return s !== undefined ? s : whereOf(w['where'])
  },
  Delete: w => (binding(w['binding']) ? whereOf(w['where']) : 'a delete names its binding'),
  Read: w => (binding(w['binding']) ? whereOf(w['where']) : 'a read names its binding'),
}

// An insert given column by column: one parameter per column, each listing as many values (at least
// one), no row lists beside them, and values only (a plan reference or a placeholder is not resolved
// inside a list).
const columnar = (arrays: unknown, rows: unknown, columns: number): string | undefined => {
  const bad = 'an insert given column by column holds one parameter per column, each a list of as many values'
  if (!isList(rows) || rows.length !== 0) return 'an insert given column by column holds no rows of values'
  if (!isList(arrays) || arrays.length !== columns || columns === 0) return bad
  let n = -1
  for (const a of arrays) {
    if (!Expr.isExpr(a) || a._tag !== 'Param' || !isList(a.value)) return bad
    if (n === -1) n = a.value.length
    if (a.value.length !== n || n === 0) return bad
    for (const v of a.value)
      if (typeof v === 'object' && v !== null && (isRef(v) || Expr.isPlaceholder(v) || Node.isNode(v)))
        return 'an insert given column by column holds values only (no plan reference or placeholder)'
  }
  return undefined
}

// `column = expression` pairs: an update's, or an upsert's `do update set`.
const assignments = (set: ReadonlyArray<unknown>): string | undefined => {
  for (const pair of set) {
    if (!isList(pair) || !isText(pair[0])) return 'an update sets named columns'
    const p = expr(pair[1])
    if (p !== undefined) return p
  }
  return undefined
}

const conflictActions: {
  readonly [K in 'Nothing' | 'Update']: (a: Field) => string | undefined
} = {
  Nothing: () => undefined,
  Update: a => {
    const set = a['set']
    return isList(set) && set.length > 0 ? assignments(set) : 'an upsert update sets named columns'
  },
}

// An upsert's conflict clause, built by `Ast.Write.conflict`.
const conflictOf = (u: unknown): string | undefined => {
  if (!Node.isNode(u) || fields(u)['_tag'] !== 'Conflict')
    return "onConflict is 'raise', 'nothing' or a conflict built by Ast.Write.conflict"
  const c = fields(u)
  const target = c['target']
  if (!isList(target)) return 'a conflict target is a list of columns'
  for (const t of target) if (!isText(t)) return Node.refusal(t) ?? 'a conflict target names columns as text'
  if (target.length === 0 && c['constraint'] === null)
    return 'a conflict names its target columns or its constraint'
  if (c['constraint'] !== null && !isText(c['constraint'])) return 'a conflict constraint is a name'
  if (!isText(c['alias'])) return 'a conflict names the alias of the target table'
  const a = c['action']
  const tag = typeof a === 'object' && a !== null ? fields(a)['_tag'] : undefined
  return typeof tag === 'string' && Object.hasOwn(conflictActions, tag)
    ? conflictActions[tag as 'Nothing' | 'Update'](fields(a))
    : "a conflict's action is Nothing or Update"
}

const whereOf = (where: unknown): string | undefined => {
  if (!isList(where)) return 'a filter is a list of conjuncts'
  for (const c of where) {
    const p = condition(c)
    if (p !== undefined) return p
  }
  return undefined
}
