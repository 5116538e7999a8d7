// Every counterexample the properties found, as a named test (each on PostgreSQL and in memory).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Memory from '../../src/interpreter/memory/Memory.js'
import * as Run from '../../src/interpreter/Run.js'
import * as Pred from '../../src/query/Pred.js'
import * as Query from '../../src/query/Query.js'
import * as Arb from '../../src/testing/index.js'
import { connect, multiset, withData, type PropertyDb } from './support.js'

let db: PropertyDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())

const built = (spec: Arb.ModelSpec): Arb.Generated => {
  const m = Arb.build(spec)
  if (E.isLeft(m)) throw new Error('invalid spec')
  return { spec, model: m.right }
}

describe('regressions', () => {
  // memory == PostgreSQL, seed 1420481644: postgres.js typed a list parameter by its first element, so
  // `c0 = any($1)` with [true, false] (or with Dates) failed on PostgreSQL with "op ANY/ALL (array)
  // requires array on right side". Fixed in Pg.execute (such lists go out untyped).
  it('a list of booleans or of Dates in = any($1)', async () => {
    const g = built({
      tables: [
        {
          schema: 's0',
          source: 's0_rows',
          columns: [
            { name: 'c0', type: 'boolean', nullable: false, references: null },
            { name: 'c1', type: 'timestamptz', nullable: true, references: null },
          ],
        },
        { schema: 's1', source: 's1_rows', columns: [] },
      ],
      associations: [],
    })
    const at = new Date('2020-01-01T00:00:00.000Z')
    const data: Arb.Dataset = new Map([
      [
        's0_rows',
        [
          { id: 1, c0: false, c1: at },
          { id: 2, c0: true, c1: null },
        ],
      ],
      ['s1_rows', []],
    ])
    const queries = [
      pipe(
        Query.from(g.model, 's0'),
        Query.where(r => Pred.isIn(r['c0'] as Pred.Term<boolean>, [true, false])),
      ),
      pipe(
        Query.from(g.model, 's0'),
        Query.where(r => Pred.isIn(r['c1'] as Pred.Term<Date>, [at, new Date(0)])),
      ),
    ]
    const expected = [2, 1]
    await withData(db.sql, g, data, async pg => {
      for (const [i, q] of queries.entries()) {
        const onPg = await Run.all(q)(pg)()
        const inMemory = await Memory.all(q)(data)()
        expect(E.isRight(onPg) && onPg.right.length).toBe(expected[i])
        expect(E.isRight(onPg) && E.isRight(inMemory) && multiset(onPg.right)).toEqual(
          E.isRight(inMemory) && multiset(inMemory.right),
        )
      }
    })
  })

  // laws, "where == filtering": the generator drew two filters on one column, of which the model (an
  // object keyed by column) kept only the last. Generated filters are now one per column.
  it('generated association filters name each column once', () => {
    fc.assert(
      fc.property(Arb.model(), g =>
        g.spec.associations.every(a => {
          if (a.kind === 'through') return true
          const cols = [...a.where, ...(a.kind === 'manyToMany' ? a.joinWhere : [])].map(f => f.column)
          return a.kind === 'manyToMany'
            ? new Set(a.where.map(f => f.column)).size === a.where.length &&
                new Set(a.joinWhere.map(f => f.column)).size === a.joinWhere.length
            : new Set(cols).size === cols.length
        }),
      ),
      { numRuns: 300 },
    )
  })
})
