// Laws of association semantics, each checked on PostgreSQL (the memory interpreter is held to the same
// results by the differential property):
// - `assoc(owners, [a, b])` equals the deduplicated composition of `assoc a` then `assoc b` (as sets;
//   the planner never skips a pass-through table, so a dangling key drops the row in both);
// - an association's `where` equals filtering the rows loaded without it;
// - ordering yields a sorted permutation of the unordered rows.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Interpreter, RawRow } from '../../src/run/Interpreter.js'
import * as Memory from '../../src/interpreter/memory/Memory.js'
import * as Run from '../../src/run/Run.js'
import * as Query from '../../src/query/Query.js'
import * as Model from '../../src/schema/Model.js'
import * as Arb from '../../src/testing/index.js'
import {
  asSet,
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

const load = async (i: Interpreter, q: Query.AnyQuery): Promise<ReadonlyArray<RawRow>> => {
  const r = await Run.all(q)(i)()
  if (E.isLeft(r)) throw new Error(`query failed: ${show(r.left)}`)
  return r.right
}

const assocOf = Query.assoc as unknown as (
  m: Model.AnyModel,
  s: string,
  p: ReadonlyArray<string>,
) => (owners: ReadonlyArray<RawRow>) => Query.AnyQuery

const sourceOf = (g: Arb.Generated, schema: string): string =>
  g.spec.tables.find(t => t.schema === schema)?.source ?? ''

const withRows = Arb.model().chain(g => Arb.rows(g).map(data => ({ g, data })))

// Two-step paths a -> b from some schema.
const twoSteps = (g: Arb.Generated) =>
  g.spec.tables.flatMap(t =>
    [...(g.model.associations.get(t.schema)?.values() ?? [])].flatMap(a =>
      [...(g.model.associations.get(a.target)?.values() ?? [])].map(b => ({
        schema: t.schema,
        a: a.name,
        b: b.name,
      })),
    ),
  )

describe('laws', () => {
  it('assoc through [a, b] == distinct(assoc b of assoc a)', async () => {
    const cases = withRows
      .filter(({ g }) => twoSteps(g).length > 0)
      .chain(c =>
        fc
          .constantFrom(...twoSteps(c.g))
          .chain(p =>
            fc
              .subarray([...(c.data.get(sourceOf(c.g, p.schema)) ?? [])])
              .map(owners => ({ ...c, ...p, owners })),
          ),
      )
    await fc.assert(
      fc.asyncProperty(cases, async ({ g, data, schema, a, b, owners }) => {
        await withData(db.sql, g, data, async pg => {
          const path = await load(pg, assocOf(g.model, schema, [a, b])(owners))
          const first = await load(pg, assocOf(g.model, schema, [a])(owners))
          const target = Model.association(g.model, schema, a)?.target ?? ''
          const second = await load(pg, assocOf(g.model, target, [b])(first))
          expect(asSet(path)).toEqual(asSet(second))
          expect(multiset(path)).toEqual(asSet(path)) // a path of two is distinct
        })
      }),
      params(60),
    )
  })

  it("an association's where == filtering what loads without it", async () => {
    const filtered = (g: Arb.Generated) =>
      g.spec.associations.filter(a => a.kind !== 'through' && a.where.length > 0) as ReadonlyArray<
        Exclude<Arb.AssocSpec, { readonly kind: 'through' }>
      >
    const cases = withRows
      .filter(({ g }) => filtered(g).length > 0)
      .chain(c =>
        fc
          .constantFrom(...filtered(c.g))
          .chain(a =>
            fc.subarray([...(c.data.get(sourceOf(c.g, a.owner)) ?? [])]).map(owners => ({ ...c, a, owners })),
          ),
      )
    const holds = (f: Arb.FilterSpec, row: RawRow): boolean => {
      const v = row[f.column]
      const eq = (x: unknown) => v !== null && Memory.compareValues(v, x) === 0
      return f.form === 'null' ? v === null : f.form === 'notNull' ? v !== null : f.values.some(eq)
    }
    await fc.assert(
      fc.asyncProperty(cases, async ({ g, data, a, owners }) => {
        const unfiltered = Arb.build({
          ...g.spec,
          associations: g.spec.associations.map(x => (x === a ? { ...a, where: [] } : x)),
        })
        if (E.isLeft(unfiltered)) throw new Error(show(unfiltered.left))
        await withData(db.sql, g, data, async pg => {
          const withWhere = await load(pg, assocOf(g.model, a.owner, [a.name])(owners))
          const all = await load(pg, assocOf(unfiltered.right, a.owner, [a.name])(owners))
          expect(multiset(withWhere)).toEqual(multiset(all.filter(r => a.where.every(f => holds(f, r)))))
        })
      }),
      params(60),
    )
  })

  it('orderBy yields a sorted permutation', async () => {
    const dirs = fc.constantFrom(
      'asc',
      'desc',
      'asc_nulls_first',
      'asc_nulls_last',
      'desc_nulls_first',
      'desc_nulls_last',
    ) as fc.Arbitrary<'asc'>
    const cases = withRows.chain(c =>
      fc.constantFrom(...c.g.spec.tables).chain(t =>
        fc
          .array(fc.tuple(dirs, fc.constantFrom('id', ...t.columns.map(x => x.name))), {
            minLength: 1,
            maxLength: 3,
          })
          .map(order => ({ ...c, schema: t.schema, order })),
      ),
    )
    await fc.assert(
      fc.asyncProperty(cases, async ({ g, data, schema, order }) => {
        await withData(db.sql, g, data, async pg => {
          const all = await load(pg, Query.from(g.model, schema))
          const sorted = await load(pg, pipe(Query.from(g.model, schema), Query.orderBy(order)))
          expect(multiset(sorted)).toEqual(multiset(all))
          expect(isSorted(sorted, comparator(order, decimalColumns(g, schema)))).toBe(true)
        })
      }),
      params(60),
    )
  })
})
