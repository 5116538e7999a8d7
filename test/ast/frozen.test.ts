// Frozen means frozen: every AST constructor deep-freezes what it builds (the node, and the lists and
// plain objects it was built of: bindings, outputs, order terms, options, per-parent windows, rows),
// through the one walk of `Node.make`. A user's value is data, never structure: a parameter's value,
// a list's values, and any value in an expression's place stay as the user gave them, frozen or not.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import * as Ex from '../../src/ast/Expr.js'
import * as Node from '../../src/ast/Node.js'
import * as Select from '../../src/ast/Select.js'
import * as W from '../../src/ast/Write.js'
import { Pred, Query, Sql } from '../../src/index.js'
import { Blog } from '../support/blog.js'

// Every object reachable from `u` is frozen, except a parameter's value and a list's values (data).
const unfrozen = (u: unknown, path = '$', seen = new Set<object>()): ReadonlyArray<string> => {
  if (typeof u !== 'object' || u === null || seen.has(u)) return []
  seen.add(u)
  const here = Object.isFrozen(u) ? [] : [path]
  const node = Ex.isExpr(u) ? u : undefined
  const entries = Object.entries(u).filter(
    ([k]) => !(node?._tag === 'Param' && k === 'value') && !(node?._tag === 'InList' && k === 'values'),
  )
  return [...here, ...entries.flatMap(([k, v]) => unfrozen(v, `${path}.${k}`, seen))]
}

const from = (): Select.Binding => ({ table: 'posts', alias: 't0' })
const id = Ex.column('t0', 'id')
const title = Ex.column('t0', 'title')
const output = (name: string, expr: Ex.Expr): Select.Output => ({ name, expr })
const base = (): Select.Select => Select.create(from(), [output('id', id), output('t', title)])
const sub = Select.create({ table: 'comments', alias: 't1' }, [])
// A select of plain, unfrozen objects (not a node), as an untyped caller may assemble one.
const plain = (): Select.Select =>
  ({
    _tag: 'Select',
    from: from(),
    columns: [output('id', id)],
    joins: [],
    where: [],
    orderBy: [{ expr: id, dir: 'asc', nulls: 'default' }],
    limit: { _tag: 'None' },
    offset: { _tag: 'None' },
    distinct: false,
    distinctOn: [],
    groupBy: [],
    having: [],
    keyed: [],
    perParent: { _tag: 'None' },
  }) as unknown as Select.Select

describe('AST constructors deep-freeze the nodes they build', () => {
  const exprs: ReadonlyArray<readonly [string, () => unknown]> = [
    ['Expr.column', () => Ex.column('t0', 'id')],
    ['Expr.column (json)', () => Ex.column('t0', 'doc', 'jsonb')],
    ['Expr.param', () => Ex.param(1)],
    ['Expr.jsonParam', () => Ex.jsonParam({ a: 1 })],
    ['Expr.placeholder', () => Ex.placeholder('id')],
    ['Expr.bool', () => Ex.bool(true)],
    ['Expr.compare', () => Ex.compare('lt', id, Ex.param(3))],
    ['Expr.eq', () => Ex.eq(id, Ex.param(3))],
    ['Expr.inList', () => Ex.inList(id, [1, 2, 3])],
    ['Expr.isNull', () => Ex.isNull(title)],
    ['Expr.not', () => Ex.not(Ex.isNull(title))],
    ['Expr.notTrue', () => Ex.notTrue(Ex.eq(id, Ex.param(1)))],
    [
      'Expr.and',
      () => Ex.and([Ex.eq(id, Ex.param(1)), Ex.and([Ex.eq(title, Ex.param('a')), Ex.isNull(id)])]),
    ],
    ['Expr.or', () => Ex.or([Ex.eq(id, Ex.param(1)), Ex.eq(id, Ex.param(2))])],
    ['Expr.like', () => Ex.like(title, Ex.param('a%'), true)],
    ['Expr.fragment', () => Ex.fragment(['lower(', ') = ', ''], [title, Ex.param('a')])],
    ['Expr.exists', () => Ex.exists(pipe(sub, Select.withWhere(Ex.eq(Ex.column('t1', 'post_id'), id))))],
    ['Expr.operand', () => Ex.operand('x')],
    ['Expr.arith', () => Ex.arith('div', id, Ex.param(2), true)],
    ['Expr.call', () => Ex.call('coalesce', [title, Ex.param('none')])],
    ['Expr.dateTrunc', () => Ex.dateTrunc('month', Ex.column('t0', 'inserted_at'))],
    ['Expr.cast', () => Ex.cast(id, 'text')],
    [
      'Expr.case_',
      () => Ex.case_([{ when: Ex.eq(id, Ex.param(1)), then: Ex.param('one') }], O.some(Ex.param('other'))),
    ],
    [
      'Expr.agg',
      () =>
        Ex.agg('stringAgg', [title, Ex.param(',')], {
          distinct: true,
          filter: Ex.isNull(id),
          orderBy: [{ expr: title, dir: 'asc', nulls: 'default' }],
        }),
    ],
    [
      'Expr.scalar',
      () => Ex.scalar(Select.create({ table: 'comments', alias: 't1' }, [output('n', Ex.agg('count', []))])),
    ],
    [
      'Expr.inSelect',
      () =>
        Ex.inSelect(
          id,
          Select.create({ table: 'comments', alias: 't1' }, [output('p', Ex.column('t1', 'post_id'))]),
        ),
    ],
  ]
  it.each(exprs)('%s', (_, build) => {
    expect(unfrozen(build())).toEqual([])
  })

  const perParent: Select.PerParent = {
    keys: [Ex.column('t0', 'author_id')],
    limit: O.some(2),
    offset: O.some(1),
    distinctKeys: O.some({ sqlType: 'integer' }),
  }
  const selects: ReadonlyArray<readonly [string, () => unknown]> = [
    ['Select.create', base],
    ['Select.join', () => Select.join('left', { table: 'users', alias: 't1' }, Ex.eq(id, Ex.param(1)))],
    ['Select.withWhere', () => pipe(base(), Select.withWhere(Ex.eq(id, Ex.param(1))))],
    [
      'Select.withJoins',
      () =>
        pipe(
          base(),
          Select.withJoins([Select.join('inner', { table: 'users', alias: 't1' }, Ex.eq(id, Ex.param(1)))]),
        ),
    ],
    [
      'Select.withOrder',
      () =>
        pipe(
          base(),
          Select.withOrder([
            { expr: id, dir: 'desc', nulls: 'last' },
            { expr: title, dir: 'asc', nulls: 'default' },
          ]),
        ),
    ],
    ['Select.set limit', () => pipe(base(), Select.set('limit', O.some(3)))],
    ['Select.set offset', () => pipe(base(), Select.set('offset', O.some(3)))],
    ['Select.set distinct', () => pipe(base(), Select.set('distinct', true))],
    ['Select.set columns', () => pipe(base(), Select.set('columns', [output('x', Ex.param(1))]))],
    [
      'Select.set orderBy',
      () => pipe(base(), Select.set('orderBy', [{ expr: id, dir: 'asc', nulls: 'first' }])),
    ],
    ['Select.set perParent', () => pipe(base(), Select.set('perParent', O.some({ ...perParent })))],
    // Over a node, the combinators walk only the field they replace (`Node.remake`: the rest was frozen
    // when the node was made); over a select an untyped caller assembled, everything, as `make` does.
    ['Select.withWhere over a plain select', () => pipe(plain(), Select.withWhere(Ex.eq(id, Ex.param(1))))],
    ['Select.withOrder over a plain select', () => pipe(plain(), Select.withOrder([]))],
    ['Select.set over a plain select', () => pipe(plain(), Select.set('distinct', true))],
  ]
  it.each(selects)('%s', (_, build) => {
    expect(unfrozen(build())).toEqual([])
  })

  const writes: ReadonlyArray<readonly [string, () => unknown]> = [
    ['Write.ref', () => W.ref(0, 'id')],
    [
      'Write.insert',
      () =>
        W.insert({
          table: 'posts',
          columns: ['title', 'body'],
          rows: [
            [Ex.param('a'), Ex.param('b')],
            [Ex.param('c'), Ex.param('d')],
          ],
          generated: ['id'],
          key: ['id'],
          onConflict: 'raise',
          returning: ['id'],
        }),
    ],
    [
      'Write.update',
      () =>
        W.update({
          binding: from(),
          set: [['title', Ex.param('x')]],
          where: [Ex.eq(id, Ex.param(1))],
          returning: ['id'],
        }),
    ],
    ['Write.delete_', () => W.delete_({ binding: from(), where: [Ex.eq(id, Ex.param(1))], returning: [] })],
  ]
  it.each(writes)('%s', (_, build) => {
    expect(unfrozen(build())).toEqual([])
  })

  it('a query built with Query: its select and everything in it', () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p => Pred.or(Pred.isIn(p.id, [1, 2]), Pred.eq(p.title, 'x'))),
      Query.orderBy([['desc', 'inserted_at'], 'id']),
      Query.limit(3),
    )
    expect(unfrozen(q.select)).toEqual([])
  })

  it('a node cannot be changed', () => {
    const s = pipe(base(), Select.withWhere(Ex.eq(id, Ex.param(1))))
    expect(() => (s.where as Array<Ex.Expr>).push(Ex.bool(false))).toThrow(TypeError)
    expect(() => ((s.from as { table: string }).table = 'users')).toThrow(TypeError)
    expect(() => ((s.columns[0] as { name: string }).name = 'x')).toThrow(TypeError)
    expect(Sql.toSql(s)).toEqual(
      E.right({
        text: 'select "t0"."id", "t0"."title" as "t" from "posts" as "t0" where "t0"."id" = $1',
        params: [1],
      }),
    )
  })
})

describe("a user's value is data: construction never freezes it", () => {
  const userArray = () => [1, 2, 3]
  const userObject = () => ({ a: [1], b: { c: 2 } })
  const deepOpen = (u: object) => {
    expect(Object.isFrozen(u)).toBe(false)
    for (const v of Object.values(u)) if (typeof v === 'object' && v !== null) deepOpen(v)
  }

  it("a parameter's value", () => {
    const a = userArray()
    const o = userObject()
    expect(Ex.param(a).value).toBe(a)
    expect(Ex.jsonParam(o).value).toBe(o)
    deepOpen(a)
    deepOpen(o)
  })

  it('values wrapped as parameters by the companions (operands, fragment arguments)', () => {
    const vs = [userArray(), userObject(), userArray(), userObject(), userArray()]
    const [a, b, c, d, e] = vs as [Array<number>, object, Array<number>, object, Array<number>]
    Ex.eq(id, a as never)
    Ex.compare('gt', b as never, id)
    Ex.like(title, c as never, false)
    Ex.fragment(['f(', ', ', ')'], [d as never, e as never])
    Ex.operand(a)
    vs.forEach(deepOpen)
  })

  it("a list's values (the list is the constructor's copy)", () => {
    const values = [userArray(), userObject()]
    const n = Ex.inList(id, values)
    expect(n.values).not.toBe(values)
    expect(Object.isFrozen(n.values)).toBe(true)
    deepOpen(values)
    expect(n.values[0]).toBe(values[0])
  })

  it("a value in an expression's place of a select (outputs, order terms, per-parent keys, filters)", () => {
    const vs = [userArray(), userObject(), userArray(), userObject(), userArray()]
    const [a, b, c, d, e] = vs
    const s = pipe(
      Select.create(from(), [output('x', a as never)]),
      Select.withOrder([{ expr: b as never, dir: 'asc', nulls: 'default' }]),
      Select.set(
        'perParent',
        O.some({ keys: [c as never], limit: O.none, offset: O.none, distinctKeys: O.none }),
      ),
      Select.withWhere(d as never),
      Select.withJoins([Select.join('inner', { table: 'users', alias: 't1' }, e as never)]),
    )
    vs.forEach(deepOpen)
    // the select around them is frozen all the same
    expect(Object.isFrozen(s.columns[0])).toBe(true)
    expect(Object.isFrozen(s.orderBy[0])).toBe(true)
  })

  it("a statement's values", () => {
    const a = userArray()
    const b = userObject()
    W.insert({
      table: 'posts',
      columns: ['tags'],
      rows: [[Ex.jsonParam(a)]],
      generated: [],
      key: ['id'],
      onConflict: 'raise',
      returning: [],
    })
    W.update({ binding: from(), set: [['doc', Ex.jsonParam(b)]], where: [], returning: [] })
    deepOpen(a)
    deepOpen(b)
  })

  it('a value given to Query (a filter, a list) and the compiled parameters', () => {
    const tags = ['a', 'b']
    const ids = [1, 2]
    const q = pipe(
      Query.from(Blog, 'post'),
      // (a plain array beside a text column is refused by its codec; `Pred.value` sends it as given)
      Query.where(p => Pred.and(Pred.eq(p.title, Pred.value(tags) as never), Pred.isIn(p.id, ids))),
    )
    const sql = Query.toSql(q)
    expect(E.isRight(sql) && sql.right.params).toEqual([tags, ids])
    deepOpen(tags)
    deepOpen(ids)
  })
})

describe("a user's frozen object stays data", () => {
  const forged = Object.freeze({ _tag: 'Param', value: 1 })
  const frozenList = Object.freeze([1, 2])

  it('is not a node, and travels as a parameter', () => {
    expect(Node.isNode(forged)).toBe(false)
    expect(Ex.isExpr(forged)).toBe(false)
    const p = Ex.operand(forged)
    expect(p._tag).toBe('Param')
    expect(p._tag === 'Param' && p.value).toBe(forged)
    const s = pipe(
      base(),
      Select.withWhere(Ex.eq(id, forged as never)),
      Select.withWhere(Ex.inList(id, frozenList)),
    )
    expect(Sql.toSql(s)).toEqual(
      E.right({
        text: 'select "t0"."id", "t0"."title" as "t" from "posts" as "t0" where "t0"."id" = $1 and "t0"."id" = any($2)',
        params: [forged, [1, 2]],
      }),
    )
  })

  it("in an expression's place of a select: a value, compiled as a parameter", () => {
    const s = Select.create(from(), [output('x', forged as never)])
    expect(Sql.toSql(s)).toEqual(E.right({ text: 'select $1 as "x" from "posts" as "t0"', params: [forged] }))
  })
})
