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
// projection, ordered by every binding's id, compared as lists (parents and children in one order),
// as whole rows or under projections of columns and computed outputs (functions, arithmetic, case,
// relation aggregates and scalar subqueries over the joined row). A second property draws
// join-preloads wherever they apply. `npm run test:algebra` runs 10,000 cases.
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

// Join-preloads wherever they apply, and only queries that have them, over models with an association
// they may fill (one that is not a through).
const preloading = Arb.model({ maxTables: 4 })
  .filter(g => g.spec.associations.some(a => a.kind !== 'through'))
  .chain(g =>
    Arb.rows(g, { maxRows: 5 }).chain(data =>
      fc
        .array(
          Arb.algebraQuery(g, { joinPreloadOneIn: 1 }).filter(s => (s.joinPreload ?? []).length > 0),
          { minLength: 1, maxLength: 4 },
        )
        .map(queries => ({ g, data, queries })),
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

// What a run met: queries, join-preloaded ones, those with a projected join-preload, and those whose
// join-preload projection computes (an output that is not a column), and those refused for an
// aggregate in one.
interface Met {
  queries: number
  joinPreloaded: number
  projected: number
  computed: number
  refusedAggregate: number
}

const agreeOn = async (
  arbitrary: typeof cases,
  runs: number,
  met: Met = { queries: 0, joinPreloaded: 0, projected: 0, computed: 0, refusedAggregate: 0 },
): Promise<Met> => {
  await fc.assert(
    fc.asyncProperty(arbitrary, async ({ g, data, queries }) => {
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
        const projections = Object.values(r.spec.joinProjection ?? {})
        met.queries++
        if ((r.spec.joinPreload ?? []).length > 0) met.joinPreloaded++
        if (projections.length > 0) met.projected++
        if (projections.some(p => p.some(t => t._tag !== 'Column'))) met.computed++
        if (r.spec.refused === 'aggregateInJoinPreload') met.refusedAggregate++
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
    params(runs),
  )
  return met
}

describe('memory == PostgreSQL on the query algebra', () => {
  it(
    'projections, expressions, groups, aggregates, having, distinctOn, path joins and nested subqueries',
    { timeout: 60_000 + numRuns(80) * 1_000 },
    async () => {
      await agreeOn(cases, 80)
    },
  )

  it(
    'join-preloads wherever they apply: whole rows, projected columns, computed outputs',
    { timeout: 60_000 + numRuns(40) * 1_000 },
    async () => {
      const started = Date.now()
      const met = await agreeOn(preloading, 40)
      // The cases are join-preloads, projected and computing (not an empty or trivial draw).
      expect(met.projected).toBeGreaterThan(0)
      expect(met.computed).toBeGreaterThan(0)
      if (process.env['ALGEBRA_REPORT'] !== undefined)
        console.log(`join-preload property: ${JSON.stringify(met)} in ${Date.now() - started} ms`)
    },
  )
})
