// Every counterexample the properties found, as a named test (each on PostgreSQL and in memory).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Memory from '../../src/interpreter/memory/Memory.js'
import * as Column from '../../src/schema/Column.js'
import * as Schema from '../../src/schema/Schema.js'
import * as Fn from '../../src/query/Fn.js'
import type * as Preload from '../../src/run/Preload.js'
import * as Run from '../../src/run/Run.js'
import * as Pred from '../../src/query/Pred.js'
import * as Query from '../../src/query/Query.js'
import * as Arb from '../../src/testing/index.js'
import * as Write from '../../src/write/Write.js'
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

  const preloadOf = Query.preload as unknown as (p: Preload.Input) => (q: Query.AnyQuery) => Query.AnyQuery
  const strategies = async (
    g: Arb.Generated,
    data: Arb.Dataset,
    q: Query.AnyQuery,
    check: (rows: ReadonlyArray<Readonly<Record<string, unknown>>>) => void,
  ) =>
    withData(db.sql, g, data, async pg => {
      for (const [i, strategy] of [
        [pg, 'batched'],
        [pg, 'lateral'],
        [Memory.interpreter(data), 'batched'],
      ] as const) {
        const r = await Run.all(q, { strategy })(i)()
        if (E.isLeft(r)) throw new Error(`${i.name} ${strategy}: ${r.left.message}`)
        check(r.right)
      }
    })

  // preload memory == batched == lateral, seed 791371698 (embedded, 10,000 runs): a to-one preload with a
  // per-parent limit of 0 still loaded its row in the batched strategy. Fixed in the batched preload
  // (6791298, "a to-one with limit 0 loads nothing").
  it('a to-one preload with limit 0 loads nothing, in both strategies and in memory', async () => {
    const g = built({
      tables: [
        {
          schema: 's0',
          source: 's0_rows',
          columns: [{ name: 'f1', type: 'integer', nullable: true, references: 's1' }],
        },
        { schema: 's1', source: 's1_rows', columns: [] },
      ],
      associations: [
        { kind: 'belongsTo', owner: 's0', name: 'b1', target: 's1', foreignKey: 'f1', where: [] },
        {
          kind: 'hasMany',
          owner: 's1',
          name: 'a1',
          target: 's0',
          foreignKey: 'f1',
          where: [],
          preloadOrder: [],
        },
      ],
    })
    const data: Arb.Dataset = new Map([
      [
        's0_rows',
        [
          { id: 1, f1: 1 },
          { id: 2, f1: 1 },
        ],
      ],
      ['s1_rows', [{ id: 1 }]],
    ])
    const q = pipe(
      Query.from(g.model, 's0'),
      Query.orderBy(['id']),
      preloadOf(
        Arb.toPreload({
          b1: {
            _tag: 'Query',
            where: [],
            orderBy: [['asc', 'id']],
            limit: 0,
            offset: null,
            preload: { a1: true },
          },
        }),
      ),
    )
    await strategies(g, data, q, rows =>
      expect(rows.map(r => r['b1'])).toEqual([{ _tag: 'None' }, { _tag: 'None' }]),
    )
  })

  // preloaded == assoc per parent, seed 669708026 (embedded, 10,000 runs): a through whose hop is a
  // has-one with two matching rows. The preload walks the one row the has-one picks (its preloadOrder),
  // `assoc` walks every matching row, so they differ. Pinned here as the current semantics; the law now
  // leaves out throughs with a has-one hop.
  it('a preloaded through follows the row its has-one hop picks; assoc follows every match', async () => {
    const g = built({
      tables: [
        {
          schema: 's0',
          source: 's0_rows',
          columns: [
            { name: 'f0', type: 'integer', nullable: true, references: 's0' },
            { name: 'c0', type: 'text', nullable: false, references: null },
            { name: 'f1', type: 'integer', nullable: true, references: 's1' },
          ],
        },
        { schema: 's1', source: 's1_rows', columns: [] },
      ],
      associations: [
        {
          kind: 'hasOne',
          owner: 's0',
          name: 'a0',
          target: 's0',
          foreignKey: 'f0',
          where: [],
          preloadOrder: [['asc', 'c0']],
        },
        { kind: 'belongsTo', owner: 's0', name: 'a1', target: 's1', foreignKey: 'f1', where: [] },
        { kind: 'through', owner: 's0', name: 't0', path: ['a0', 'a1'], cardinality: 'many' },
      ],
    })
    const data: Arb.Dataset = new Map([
      [
        's0_rows',
        [
          { id: 1, f0: null, c0: 'x', f1: null },
          { id: 2, f0: 1, c0: 'a', f1: 1 },
          { id: 3, f0: 1, c0: 'b', f1: 2 },
        ],
      ],
      ['s1_rows', [{ id: 1 }, { id: 2 }]],
    ])
    const q = pipe(
      Query.from(g.model, 's0'),
      Query.where(r => Pred.eq(r['id'] as Pred.Term<number>, 1)),
      preloadOf({ t0: true }),
    )
    await strategies(g, data, q, rows => expect(rows[0]?.['t0']).toEqual([{ id: 1 }]))
    const assoc = Query.assoc as unknown as (
      m: unknown,
      s: string,
      n: string,
    ) => (o: ReadonlyArray<unknown>) => Query.AnyQuery
    const all = await Memory.all(
      pipe(assoc(g.model, 's0', 't0')([{ id: 1, f0: null, c0: 'x', f1: null }]), Query.orderBy(['id'])),
    )(data)()
    expect(all).toEqual(E.right([{ id: 1 }, { id: 2 }]))
  })

  // preload memory == batched == lateral, seed 1475134342 (embedded, 10,000 runs): a through preloaded
  // with a custom query beside its own first hop preloaded with a different query for the second hop is
  // rejected by the planner (a QueryError naming schema and association), which the property took for a
  // failure. It must be the same Left on every interpreter and strategy.
  it('a through beside its hop with a different query is the same QueryError everywhere', async () => {
    const g = built({
      tables: [
        { schema: 's2', source: 's2_rows', columns: [] },
        { schema: 's3', source: 's3_rows', columns: [] },
        {
          schema: 'j0',
          source: 'j0',
          columns: [
            { name: 'jo', type: 'integer', nullable: true, references: 's2' },
            { name: 'jr', type: 'integer', nullable: true, references: 's3' },
          ],
        },
      ],
      associations: [
        {
          kind: 'manyToMany',
          owner: 's2',
          name: 'a0',
          target: 's3',
          joinThrough: 'j0',
          joinKeys: [
            ['jo', 'id'],
            ['jr', 'id'],
          ],
          joinWhere: [],
          where: [],
          preloadOrder: [],
        },
        {
          kind: 'manyToMany',
          owner: 's3',
          name: 'b0',
          target: 's2',
          joinThrough: 'j0',
          joinKeys: [
            ['jr', 'id'],
            ['jo', 'id'],
          ],
          joinWhere: [],
          where: [],
          preloadOrder: [],
        },
        { kind: 'through', owner: 's2', name: 't0', path: ['a0', 'b0'], cardinality: 'one' },
      ],
    })
    const data: Arb.Dataset = new Map([
      ['s2_rows', [{ id: 1 }]],
      ['s3_rows', [{ id: 2 }]],
      ['j0', [{ id: 1, jo: 1, jr: 2 }]],
    ])
    const q = pipe(
      Query.from(g.model, 's2'),
      preloadOf(
        Arb.toPreload({
          a0: {
            _tag: 'Query',
            where: [],
            orderBy: [['asc', 'id']],
            limit: null,
            offset: null,
            preload: {
              b0: {
                _tag: 'Query',
                where: [],
                orderBy: [['asc', 'id']],
                limit: null,
                offset: null,
                preload: {},
              },
            },
          },
          t0: {
            _tag: 'Query',
            where: [],
            orderBy: [
              ['asc', 'id'],
              ['asc', 'id'],
            ],
            limit: null,
            offset: null,
            preload: {},
          },
        }),
      ),
    )
    await withData(db.sql, g, data, async pg => {
      for (const [i, strategy] of [
        [pg, 'batched'],
        [pg, 'lateral'],
        [Memory.interpreter(data), 'batched'],
      ] as const)
        expect(await Run.all(q, { strategy })(i)()).toMatchObject(
          E.left({ _tag: 'QueryError', code: 'InvalidArgument', schema: 's2', association: 'b0' }),
        )
    })
  })

  // preload memory == batched == lateral, seed 2068988638 (embedded, 10,000 runs): a through of throughs
  // of throughs flattened to 18 hops, and with every hop shown on the rows the loaded tree (a DAG of 72
  // rows) was too large to print. Generated throughs now flatten to at most 4 hops.
  it('generated throughs flatten to 2..4 hops', () => {
    fc.assert(
      fc.property(Arb.model(), g =>
        [...g.model.associations.values()].every(m =>
          [...m.values()].every(a => a._tag !== 'Through' || (a.hops.length >= 2 && a.hops.length <= 4)),
        ),
      ),
      { numRuns: 300 },
    )
  })

  // writes: memory == PostgreSQL, seed 640612324 (1,000 runs): a row that is its own child through a
  // self-referencing has-many with onDelete delete_all. The children's DELETE takes the row itself, so
  // the row's own DELETE touches nothing: a StaleEntry error on both interpreters (as Ecto's
  // StaleEntryError). Both sides agreed; the generator now leaves such deletes out (`validDeletes`).
  it('deleting a row that is its own delete_all child is a StaleEntry on both sides', async () => {
    const g = built({
      tables: [
        {
          schema: 's2',
          source: 's2_rows',
          columns: [{ name: 'f1', type: 'integer', nullable: true, references: 's2' }],
        },
      ],
      associations: [
        {
          kind: 'hasMany',
          owner: 's2',
          name: 'a1',
          target: 's2',
          foreignKey: 'f1',
          where: [],
          preloadOrder: [],
          onDelete: 'delete_all',
        },
      ],
    })
    const data: Arb.Dataset = new Map([['s2_rows', [{ id: 1, f1: 1 }]]])
    const write: Arb.WriteSpec = { _tag: 'Delete', schema: 's2', id: 1, cascade: false }
    const plan = Arb.toWrite(g, data, write)
    if (E.isLeft(plan)) throw new Error('the delete did not plan')
    const codeOf = (r: E.Either<{ readonly _tag: string }, unknown>): string =>
      E.isLeft(r) ? `${r.left._tag}:${(r.left as { readonly code?: string }).code ?? ''}` : 'Right'
    const pg = await withData(db.sql, g, data, async i => Write.run(plan.right)(i)())
    expect(codeOf(pg)).toBe('WriteError:StaleEntry')
    expect(codeOf(Write.runPure(plan.right)(data))).toBe('WriteError:StaleEntry')
    expect(Arb.validDeletes(g, data)).toEqual([])
  })
  // everyday queries (test/query/everyday.test.ts): the memory interpreter compared the decimal text of
  // `numeric` and `bigint` columns as text, so that '100.00' < '24.50' < '9.99' in an ORDER BY, a
  // comparison with a value, min/max and DISTINCT ON's order, and '100.00' = '100' was false (an
  // equality probed a hash index by text; `in` compared text). PostgreSQL compares them by value. The
  // query layer now marks such columns (`ColumnRef.decimal`) and the evaluator compares them by value.
  it('numeric and bigint columns compare and order by value, not as text', async () => {
    const item = Schema.table('item', 'items', {
      id: Column.serial,
      grp: Column.integer,
      price: Column.numeric,
      big: Column.bigint,
    })
    const M = Schema.modelOrThrow({ item }, {})
    const g: Arb.Generated = { spec: { tables: [], associations: [] }, model: M }
    const rows = [
      { id: 1, grp: 1, price: '9.99', big: '10' },
      { id: 2, grp: 1, price: '24.50', big: '9' },
      { id: 3, grp: 2, price: '100.00', big: '100' },
      { id: 4, grp: 2, price: '1.25', big: '-5' },
    ]
    const data: Arb.Dataset = new Map([['items', rows]])
    const items = Query.from(M, 'item')
    const cases: ReadonlyArray<readonly [Query.AnyQuery, ReadonlyArray<unknown>]> = [
      [
        pipe(
          items,
          Query.orderBy(['price']),
          Query.select(i => ({ id: i.id })),
        ),
        [4, 1, 2, 3],
      ],
      [
        pipe(
          items,
          Query.orderBy([['desc', 'big']]),
          Query.select(i => ({ id: i.id })),
        ),
        [3, 1, 2, 4],
      ],
      [
        pipe(
          items,
          Query.where(i => Pred.lt(i.price, '50')),
          Query.orderBy(['id']),
          Query.select(i => ({ id: i.id })),
        ),
        [1, 2, 4],
      ],
      [
        pipe(
          items,
          Query.where(i => Pred.gt(i.big, '9')),
          Query.orderBy(['id']),
          Query.select(i => ({ id: i.id })),
        ),
        [1, 3],
      ],
      [
        pipe(
          items,
          Query.where(i => Pred.eq(i.price, '100')),
          Query.select(i => ({ id: i.id })),
        ),
        [3],
      ],
      [
        pipe(
          items,
          Query.where(i => Pred.in(i.price, ['24.5', '1.250'])),
          Query.orderBy(['id']),
          Query.select(i => ({ id: i.id })),
        ),
        [2, 4],
      ],
      [
        pipe(
          items,
          Query.distinctOn(i => [i.grp]),
          Query.orderBy([['desc', 'price']]),
          Query.select(i => ({ id: i.id })),
        ),
        [2, 3],
      ],
    ]
    const extremes = pipe(
      items,
      Query.select(i => ({ most: Fn.max(i.price), least: Fn.min(i.big) })),
    )
    await withData(db.sql, g, data, async pg => {
      for (const [q, expected] of cases) {
        const onPg = await Run.all(q)(pg)()
        expect(onPg).toEqual(E.right(expected.map(id => ({ id }))))
        expect(await Memory.all(q)(data)()).toEqual(onPg)
      }
      const onPg = await Run.all(extremes)(pg)()
      expect(onPg).toEqual(E.right([{ most: '100.00', least: '-5' }]))
      expect(await Memory.all(extremes)(data)()).toEqual(onPg)
    })
  })
  // algebra-queries with Query.fromQuery, seed 1574234490: a projection grouped by its root's primary
  // key selects the root's other columns (PostgreSQL allows them), but once embedded as a derived table
  // its bindings were renamed (t0 -> s1_0) and its `Select.keyed` list was not, so memory refused the
  // column (42803) where PostgreSQL answered. `Make.rewrite` renames the keyed aliases too.
  it('a projection grouped by its primary key, as a derived table and in a subquery', async () => {
    const s0 = Schema.table('s0', 's0_rows', { id: Column.serial, c3: Column.integer })
    const M = Schema.modelOrThrow({ s0 }, {})
    const g: Arb.Generated = { spec: { tables: [], associations: [] }, model: M }
    const data: Arb.Dataset = new Map([
      [
        's0_rows',
        [
          { id: 1, c3: 2 },
          { id: 2, c3: -1 },
          { id: 3, c3: 2 },
        ],
      ],
    ])
    const grouped = pipe(
      Query.from(M, 's0'),
      Query.groupBy(r => [r.id]),
      Query.select(r => ({ o0: r.c3, n: Fn.count() })),
    )
    const outer = pipe(
      Query.fromQuery(grouped),
      Query.select(r => ({ o0: r.o0, n: r.n })),
    )
    const inSub = pipe(
      Query.from(M, 's0'),
      Query.where(r =>
        Pred.exists(
          pipe(
            Query.from(M, 's0'),
            Query.where(o => Pred.eq(o.id, r.id)),
            Query.groupBy(o => [o.id]),
            Query.having(o => Pred.gt(o.c3, 0)),
          ),
        ),
      ),
      Query.select(r => ({ o0: r.c3, n: r.id })),
    )
    await withData(db.sql, g, data, async pg => {
      for (const [q, expected] of [
        [
          outer,
          [
            { o0: 2, n: 1 },
            { o0: -1, n: 1 },
            { o0: 2, n: 1 },
          ],
        ],
        [
          inSub,
          [
            { o0: 2, n: 1 },
            { o0: 2, n: 3 },
          ],
        ],
      ] as const) {
        const onPg = await Run.all(q)(pg)()
        expect(E.isRight(onPg) && multiset(onPg.right)).toEqual(multiset(expected))
        const inMemory = await Memory.all(q)(data)()
        expect(E.isRight(inMemory) && multiset(inMemory.right)).toEqual(multiset(expected))
      }
    })
  })
})
