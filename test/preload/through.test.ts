// Throughs whose hops are hidden load in one statement over the whole chain (`Plan.oneStatementThroughs`)
// instead of walking the loaded hops. Properties on generated models, against PostgreSQL: the value of a
// through with hidden hops equals its value with the hops shown (walked), with a per-parent limit /
// offset and a nested spec, on PostgreSQL (batched and lateral) and on the memory interpreter.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Interpreter, RawRow } from '../../src/run/Interpreter.js'
import * as Memory from '../../src/interpreter/memory/Memory.js'
import * as Run from '../../src/run/Run.js'
import * as Plan from '../../src/plan/Preload.js'
import * as Preload from '../../src/run/Preload.js'
import * as Spec from '../../src/plan/Spec.js'
import * as Query from '../../src/query/Query.js'
import * as Arb from '../../src/testing/index.js'
import { canonical, connect, params, show, withData, type PropertyDb } from '../property/support.js'

let db: PropertyDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())

const preloadOf = Query.preload as unknown as (p: Preload.Input) => (q: Query.AnyQuery) => Query.AnyQuery

const load = async (
  i: Interpreter,
  q: Query.AnyQuery,
  strategy: Preload.Strategy,
): Promise<ReadonlyArray<RawRow>> => {
  const r = await Run.all(q, { strategy })(i)()
  if (E.isLeft(r)) throw new Error(`${i.name} ${strategy} failed: ${show(r.left)}`)
  return r.right
}

const throughsOf = (g: Arb.Generated) =>
  g.spec.tables.flatMap(t =>
    [...(g.model.associations.get(t.schema)?.values() ?? [])].filter(a => a._tag === 'Through'),
  )

describe('one-statement throughs', () => {
  it('a through with hidden hops == the same through walked over its shown hops', async () => {
    const cases = Arb.model()
      .filter(g => throughsOf(g).length > 0)
      .chain(g =>
        fc.record({
          g: fc.constant(g),
          data: Arb.rows(g),
          a: fc.constantFrom(...throughsOf(g)),
          limit: fc.option(fc.nat(3), { freq: 2 }),
          offset: fc.option(fc.nat(2), { freq: 3 }),
          withNested: fc.boolean(),
        }),
      )
      .chain(c =>
        Arb.preload(c.g, c.a.target, { depth: 1 }).map(nested => ({
          ...c,
          nested: c.withNested ? Arb.toPreload(nested) : {},
        })),
      )
    await fc.assert(
      fc.asyncProperty(cases, async ({ g, data, a, limit, offset, nested }) => {
        const options = { ...(limit === null ? {} : { limit }), ...(offset === null ? {} : { offset }) }
        const hidden = preloadOf({ [a.name]: Preload.query({ ...options, hops: 'hide' }, nested) })
        const shown = preloadOf({ [a.name]: Preload.query(options, nested) })
        const root = pipe(Query.from(g.model, a.owner), Query.orderBy(['id']))
        // Shown, the hops are preloaded as fields: when the nested spec gives one of them again with
        // another query, the library refuses the shown spec (rightly) and there is nothing to compare.
        const plain = Query.statements(shown(root), { strategy: 'batched' })
        fc.pre(!(E.isLeft(plain) && /given more than once with different queries/.test(plain.left.message)))
        await withData(db.sql, g, data, async pg => {
          const expected = (await load(pg, shown(root), 'batched')).map(p => p[a.name])
          for (const [i, strategy] of [
            [pg, 'batched'],
            [pg, 'lateral'],
            [Memory.interpreter(data), 'batched'],
          ] as const) {
            const got = await load(i, hidden(root), strategy)
            expect(got.every(p => !Object.keys(p).includes(a.path[0] ?? ''))).toBe(true)
            expect(canonical(got.map(p => p[a.name]))).toEqual(canonical(expected))
          }
        })
      }),
      params(60),
    )
  })

  it('only chains of has_many hops (the last may be many_to_many or belongs_to) take the one-statement path', () => {
    const gen = fc.sample(
      Arb.model().filter(g => throughsOf(g).length > 0),
      { numRuns: 200, seed: 7 },
    )
    let eligible = 0
    for (const g of gen)
      for (const a of throughsOf(g)) {
        const nodes = Spec.normalize(g.model, a.owner, { [a.name]: Preload.query({ hops: 'hide' }) })
        if (E.isLeft(nodes)) throw new Error(nodes.left.message)
        const ones = Plan.oneStatementThroughs(g.model, nodes.right)
        if (ones.length > 0) eligible++
        // Never a shape that may change the walk: has_one anywhere, a to-many in the middle that is not
        // has_many, a through inside the path.
        for (const o of ones) {
          if (o.node.assoc._tag !== 'Through') throw new Error('not a through')
          const hops = o.node.assoc.hops.map(h => h._tag)
          expect(o.node.assoc.path.length).toBe(hops.length)
          expect(hops.slice(0, -1).every(t => t === 'HasMany')).toBe(true)
          expect(['HasMany', 'ManyToMany', 'BelongsTo']).toContain(hops[hops.length - 1])
        }
      }
    expect(eligible).toBeGreaterThan(0)
  })
})
