// Differential property of the query algebra (issue 15): for random models, rows and queries with
// projections (columns of the root and of joined bindings, expressions, relation aggregates, scalar
// subqueries), groups with aggregates and having, distinctOn, joins of every kind and subqueries
// (exists / in, correlated or not), the memory interpreter and PostgreSQL give the same decoded rows:
// the same list where the query orders by every output (a limit, an offset or a distinctOn makes the
// generator order so), the same multiset otherwise. A query built to be refused is a Left on both,
// before any SQL. `npm run test:algebra` runs 10,000 cases.
import * as E from 'fp-ts/lib/Either.js'
import * as fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Memory from '../../src/interpreter/memory/Memory.js'
import * as Run from '../../src/run/Run.js'
import * as Arb from '../../src/testing/index.js'
import { connect, multiset, numRuns, params, show, withData, type PropertyDb } from './support.js'

let db: PropertyDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())

const cases = Arb.model({ maxTables: 4 }).chain(g =>
  Arb.rows(g, { maxRows: 5 }).chain(data =>
    fc.array(Arb.algebraQuery(g), { minLength: 1, maxLength: 4 }).map(queries => ({ g, data, queries })),
  ),
)

// Ordered by every output: the list is determined.
const total = (spec: Arb.AlgebraSpec): boolean =>
  spec.outputs.every((_, i) => spec.orderBy.some(([, j]) => j === i))

describe('memory == PostgreSQL on the query algebra', () => {
  it(
    'projections, groups, having, distinctOn, joins and subqueries',
    { timeout: 60_000 + numRuns(100) * 500 },
    async () => {
      await fc.assert(
        fc.asyncProperty(cases, async ({ g, data, queries }) => {
          const results = await withData(db.sql, g, data, async pg => {
            const out = []
            for (const spec of queries) {
              const q = Arb.toAlgebraQuery(g, data, spec)
              out.push({ spec, q, pg: await Run.all(q)(pg)(), memory: await Memory.all(q)(data)() })
            }
            return out
          })
          for (const r of results) {
            if (r.spec.refused !== null) {
              expect(r.q.errors.length).toBeGreaterThan(0)
              expect(E.isLeft(r.pg) && E.isLeft(r.memory)).toBe(true)
              continue
            }
            if (E.isLeft(r.pg) || E.isLeft(r.memory))
              throw new Error(`a side failed: pg ${show(r.pg)} memory ${show(r.memory)}`)
            if (total(r.spec)) expect(r.memory.right).toEqual(r.pg.right)
            else expect(multiset(r.memory.right)).toEqual(multiset(r.pg.right))
          }
        }),
        params(100),
      )
    },
  )
})
