// `Make.depthAndAggregate`, the one walk `Query` makes of every callback's result, says what
// `Expr.depth` and `Make.hasAggregate` say of the same tree: the depth (subqueries included), negated
// when an aggregate of the tree's own rows is in it (not one of a subquery's).
import { describe, expect, it } from 'vitest'
import * as O from 'fp-ts/lib/Option.js'
import * as Ex from '../../src/ast/Expr.js'
import * as Select from '../../src/ast/Select.js'
import * as Make from '../../src/query/Make.js'

const id = Ex.column('t0', 'id')
const cid = Ex.column('t1', 'id')
const count = Ex.agg('count', [])
const sum = Ex.agg('sum', [cid], { filter: Ex.eq(cid, Ex.param(1)) })
const sub = (e: Ex.Expr) =>
  Select.set('columns', [{ name: 'x', expr: e }])(
    Select.withWhere(Ex.eq(cid, id))(Select.create({ table: 'comments', alias: 't1' }, [])),
  )

const trees: ReadonlyArray<readonly [string, Ex.Expr]> = [
  ['a column', id],
  ['a comparison', Ex.eq(id, Ex.param(1))],
  ['and of or', Ex.and([Ex.or([Ex.eq(id, Ex.param(1)), Ex.isNull(id)]), Ex.not(Ex.eq(id, Ex.param(2)))])],
  ['an aggregate', count],
  ['an aggregate in arithmetic', Ex.arith('add', Ex.param(1), sum, false)],
  ['an aggregate in a comparison under not', Ex.not(Ex.compare('gt', count, Ex.param(3)))],
  ['a subquery with an aggregate of its own', Ex.compare('gt', Ex.scalar(sub(sum)), Ex.param(0))],
  [
    'exists over a deep filter',
    Ex.exists(Select.withWhere(Ex.and([Ex.or([Ex.eq(cid, id), Ex.isNull(cid)]), Ex.bool(true)]))(sub(cid))),
  ],
  ['in select', Ex.inSelect(id, sub(cid))],
  [
    'a case with an aggregate',
    Ex.case_([{ when: Ex.eq(id, Ex.param(1)), then: count }], O.some(Ex.param(0))),
  ],
  ['a call', Ex.call('coalesce', [Ex.call('lower', [id]), Ex.param('x')])],
]

describe('Make.depthAndAggregate', () => {
  it.each(trees)('%s: as Expr.depth and Make.hasAggregate', (_, e) => {
    const walked = Make.depthAndAggregate(e)
    expect(walked).toBeDefined()
    expect(Math.abs(walked as number)).toBe(Ex.depth(e))
    expect((walked as number) < 0).toBe(Make.hasAggregate(e))
  })

  it('both answers occur among the trees', () => {
    const signs = trees.map(([, e]) => Make.hasAggregate(e))
    expect(signs).toContain(true)
    expect(signs).toContain(false)
  })
})
