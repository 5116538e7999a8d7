// Invariant 1: every query runs on both interpreters with the same result, for random models, rows and
// queries. With an order that includes `id` the lists must be equal; otherwise the rows must be equal as
// multisets and PostgreSQL's list must be sorted by the order terms.
import * as E from 'fp-ts/lib/Either.js'
import * as fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Memory from '../../src/interpreter/memory/Memory.js'
import * as Run from '../../src/run/Run.js'
import * as Arb from '../../src/testing/index.js'
import {
  comparator,
  decimalColumns,
  connect,
  isSorted,
  multiset,
  params,
  show,
  withData,
  type PropertyDb,
} from './support.js'

let db: PropertyDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())

const cases = Arb.model().chain(g =>
  Arb.rows(g).chain(data =>
    fc.array(Arb.query(g, data), { minLength: 1, maxLength: 3 }).map(queries => ({ g, data, queries })),
  ),
)

describe('memory == PostgreSQL', () => {
  it('for random models, rows and queries', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ({ g, data, queries }) => {
        const results = await withData(db.sql, g, data, async pg => {
          const out = []
          for (const spec of queries) {
            const q = Arb.toQuery(g, data, spec)
            out.push({
              spec,
              decimals: decimalColumns(g, q.schema),
              pg: await Run.all(q)(pg)(),
              memory: await Memory.all(q)(data)(),
            })
          }
          return out
        })
        for (const r of results) {
          if (E.isLeft(r.pg) || E.isLeft(r.memory))
            throw new Error(`a side failed: pg ${show(r.pg)} memory ${show(r.memory)}`)
          expect(multiset(r.memory.right)).toEqual(multiset(r.pg.right))
          const cmp = comparator(r.spec.orderBy, r.decimals)
          expect(isSorted(r.pg.right, cmp)).toBe(true)
          if (r.spec.orderBy.some(([, c]) => c === 'id')) expect(r.memory.right).toEqual(r.pg.right)
        }
      }),
      params(100),
    )
  })
})
