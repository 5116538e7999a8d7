// Differential property of the query algebra (issue 15): for random models, rows and queries with
// projections (columns of the root and of bindings joined over association paths, arithmetic of every
// operator, functions, casts, case, conditions, relation aggregates, scalar subqueries), groups with
// every aggregate (filtered, distinct, ordered) and having, distinctOn, joins of every kind with `on`
// conditions, and subqueries (exists / in, nested, correlated to one or two levels), the memory
// interpreter and PostgreSQL give the same outcome: the same decoded rows (the same list where the
// query orders by every output, as a limit, an offset or a distinctOn makes the generator order, the
// same multiset otherwise), or the same error (a DbError of the same SQLSTATE: a division by zero is
// 22012 on both). A query built to be refused is a Left on both, before any SQL. Some queries are the
// source of an outer one (`Query.fromQuery`: NULL tests, a group with counts, a limit), compared as
// multisets; some fill their one-hop joins with join-preloads (`Preload.joined`) in place of the
// projection, ordered by every binding's id, compared as lists (parents and children in one order).
// `npm run test:algebra` runs 10,000 cases.
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

// Ordered by every output (or, with join-preloads, by every binding's id): the list is determined.
// An outer query (`Query.fromQuery`) is compared as a multiset.
// Merged rows (`selectMerge`) also hold the root's columns, which the order covers only under a limit
// or an offset (`Arb.toAlgebraQuery` orders by them there): otherwise two rows that tie on every
// output may come in either order (a full join's root-less rows beside a root row whose outputs are
// NULL too).
const total = (spec: Arb.AlgebraSpec): boolean =>
  (spec.joinPreload ?? []).length > 0 ||
  ((spec.outer ?? null) === null &&
    (spec.merged !== true || spec.limit !== null || spec.offset !== null) &&
    spec.outputs.every((_, i) => spec.orderBy.some(([, j]) => j === i)))

// An error as the property compares it: a DbError by its SQLSTATE, any other by its tag.
const kind = (e: { readonly _tag: string; readonly code?: string | null }): string =>
  e._tag === 'DbError' ? `DbError ${String(e.code)}` : e._tag

// The terms of a spec that may fail on a row: a division, a remainder, a cast to integer (of text).
const fallible = (u: unknown): number => {
  if (typeof u !== 'object' || u === null) return 0
  const o = u as Readonly<Record<string, unknown>>
  const own =
    (o['_tag'] === 'Arith' && (o['op'] === 'div' || o['op'] === 'mod')) ||
    (o['_tag'] === 'Cast' && o['to'] === 'integer')
      ? 1
      : 0
  return own + Object.values(o).reduce((n: number, v) => n + fallible(v), 0)
}

// With two terms that may fail, which fails first is the planner's choice (PostgreSQL may compute a
// sort key below a join, before the outputs): the errors then agree on their SQLSTATE class (22: data
// exception), else on the whole code.
const sameError = (spec: Arb.AlgebraSpec, a: string, b: string): boolean =>
  fallible(spec) > 1 && a.startsWith('DbError 22') ? b.startsWith('DbError 22') : a === b

describe('memory == PostgreSQL on the query algebra', () => {
  it(
    'projections, expressions, groups, aggregates, having, distinctOn, path joins and nested subqueries',
    { timeout: 60_000 + numRuns(80) * 1_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(cases, async ({ g, data, queries }) => {
          const results = await withData(db.sql, g, data, async (pg, tx) => {
            const out = []
            for (const spec of queries) {
              const q = Arb.toAlgebraQuery(g, data, spec)
              // A query that fails aborts the transaction: each runs after a savepoint of its own.
              await tx.unsafe('savepoint q')
              const onPg = await Run.all(q)(pg)()
              await tx.unsafe(E.isLeft(onPg) ? 'rollback to savepoint q' : 'release savepoint q')
              out.push({ spec, q, pg: onPg, memory: await Memory.all(q)(data)() })
            }
            return out
          })
          for (const r of results) {
            if (r.spec.refused !== null) {
              expect(r.q.errors.length).toBeGreaterThan(0)
              expect(E.isLeft(r.pg) && E.isLeft(r.memory)).toBe(true)
              continue
            }
            expect(r.q.errors).toEqual([])
            if (E.isLeft(r.pg) || E.isLeft(r.memory)) {
              // A failing query (a division by zero, text no cast reads) fails alike on both.
              if (E.isRight(r.pg) || E.isRight(r.memory))
                throw new Error(`one side failed: pg ${show(r.pg)} memory ${show(r.memory)}`)
              if (!sameError(r.spec, kind(r.pg.left), kind(r.memory.left)))
                expect(kind(r.memory.left)).toEqual(kind(r.pg.left))
              continue
            }
            if (total(r.spec)) expect(r.memory.right).toEqual(r.pg.right)
            else expect(multiset(r.memory.right)).toEqual(multiset(r.pg.right))
          }
        }),
        params(80),
      )
    },
  )
})
