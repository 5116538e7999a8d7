// Row comparisons (issue 15): `Pred.rowLt` and the rest. Golden SQL, keyset pagination on PostgreSQL
// and in memory with the same rows (ties on the first member broken by the second), the whole truth
// table of two-member rows over 1, 2 and NULL for each operator (PostgreSQL's answers, NULLs included,
// are the memory interpreter's), placeholders in a prepared query (one statement text for every page),
// and what is refused before any SQL.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Fn, Memory, Pg, Pred, Prepared, Query } from '../../src/index.js'
import { Blog, ddl, seed } from '../support/blog.js'
import { connect, run, type TestDb } from '../support/db.js'

// Comments 7 and 8 share comment 6's time: the page boundary falls inside the tie.
const extra = [
  `insert into comments (id, post_id, author_id, parent_id, body, public, inserted_at)
     select 7, 2, 1, null, 'tie a', true, inserted_at from comments where id = 6
     union all select 8, null, 2, 4, 'tie b', true, inserted_at from comments where id = 6`,
]

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [...ddl, ...seed, ...extra])
  tables = new Map(
    await Promise.all(
      ['users', 'posts', 'comments'].map(
        async name => [name, await db.sql.unsafe(`select * from ${name}`)] as const,
      ),
    ),
  )
})
afterAll(async () => db.close())

const right = <A>(r: E.Either<{ readonly message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

// The same rows on PostgreSQL and in memory; PostgreSQL's.
const both = async (q: Query.AnyQuery): Promise<ReadonlyArray<Readonly<Record<string, unknown>>>> => {
  const pg = right(await Pg.all(q)(db.sql)())
  expect(right(await Memory.all(q)(tables)())).toEqual(pg)
  return pg as ReadonlyArray<Readonly<Record<string, unknown>>>
}

// Newest first, ties by id: the page after a comment.
const newest = pipe(
  Query.from(Blog, 'comment'),
  Query.orderBy([
    ['desc', 'inserted_at'],
    ['desc', 'id'],
  ]),
)
const after = (last: { readonly inserted_at: Date; readonly id: number }) =>
  pipe(
    newest,
    Query.where(c => Pred.rowLt([c.inserted_at, c.id], [last.inserted_at, last.id])),
    Query.limit(3),
  )

describe('Pred.rowLt and the rest', () => {
  it('lowers to a row comparison', () => {
    const at = new Date('2026-01-01T00:00:00Z')
    expect(
      Query.toSql(
        pipe(
          after({ inserted_at: at, id: 7 }),
          Query.select(c => ({ id: c.id })),
        ),
      ),
    ).toEqual(
      E.right({
        text:
          'select "t0"."id" from "comments" as "t0" where ("t0"."inserted_at", "t0"."id") < ($1, $2) ' +
          'order by "t0"."inserted_at" desc, "t0"."id" desc limit $3',
        params: [at, 7, 3],
      }),
    )
  })

  it('pages through the rows in order, across a tie on the first member', async () => {
    const all = (await both(newest)) as ReadonlyArray<{ readonly inserted_at: Date; readonly id: number }>
    const seen: Array<number> = []
    let page = await both(pipe(newest, Query.limit(3)))
    while (page.length > 0) {
      seen.push(...page.map(r => r['id'] as number))
      const last = page[page.length - 1] as { readonly inserted_at: Date; readonly id: number }
      page = await both(after(last))
    }
    expect(seen).toEqual(all.map(r => r.id))
    expect(seen.slice(0, 3)).toEqual([8, 7, 6])
  })

  it('answers as PostgreSQL does for every pair of 1, 2 and NULL, each operator', async () => {
    const values = [1, 2, null] as const
    const v = (x: number | null) => Fn.cast(Pred.value(x), 'integer')
    const ops = {
      lt: Pred.rowLt,
      lte: Pred.rowLte,
      gt: Pred.rowGt,
      gte: Pred.rowGte,
      eq: Pred.rowEq,
      neq: Pred.rowNeq,
    } as const
    const outputs: Record<string, Pred.Pred> = {}
    for (const [name, op] of Object.entries(ops))
      for (const a of values)
        for (const b of values)
          for (const c of values)
            for (const d of values) outputs[`${name}_${a}_${b}_${c}_${d}`] = op([v(a), v(b)], [v(c), v(d)])
    const q = pipe(
      Query.from(Blog, 'user'),
      Query.where(u => Pred.eq(u.id, 1)),
      Query.select(() => outputs),
    )
    const [row] = await both(q)
    // A few by hand: the first unequal pair decides; a NULL before it makes NULL.
    expect(row).toMatchObject({
      lt_1_null_2_1: true,
      lt_null_1_2_1: null,
      lt_1_null_1_2: null,
      lte_1_1_1_1: true,
      lt_1_1_1_1: false,
      eq_1_null_2_1: false,
      eq_1_null_1_1: null,
      neq_1_null_2_1: true,
      neq_1_null_1_1: null,
      gte_2_null_1_null: true,
    })
    expect(Object.keys(row ?? {}).length).toBe(6 * 81)
  })

  it('compares columns with NULLs against columns, as PostgreSQL does', async () => {
    for (const op of [Pred.rowLt, Pred.rowLte, Pred.rowGt, Pred.rowGte, Pred.rowEq, Pred.rowNeq]) {
      const q = pipe(
        Query.from(Blog, 'comment'),
        Query.where(c => op([c.post_id, c.parent_id], [c.author_id, c.id])),
        Query.orderBy(['id']),
        Query.select(c => ({ id: c.id })),
      )
      await both(q)
    }
  })

  it('takes placeholders in a prepared query: one statement for every page', async () => {
    const page = Prepared.make({ at: t.unknown as t.Type<Date>, id: t.number }, ({ at, id }) =>
      pipe(
        newest,
        Query.where(c => Pred.rowLt([c.inserted_at, c.id], [at, id])),
        Query.limit(3),
      ),
    )
    const texts = new Set<string>()
    const sql = new Proxy(db.sql, {
      get: (target, key) =>
        key === 'unsafe'
          ? (text: string, params: ReadonlyArray<unknown>, options: unknown) => {
              texts.add(text)
              return (target.unsafe as (...a: ReadonlyArray<unknown>) => unknown)(text, params, options)
            }
          : Reflect.get(target, key),
    })
    const all = (await both(newest)) as ReadonlyArray<{ readonly inserted_at: Date; readonly id: number }>
    for (const last of all.slice(0, 4)) {
      const rows = right(await Pg.prepared(page)({ at: last.inserted_at, id: last.id })(sql)())
      expect(right(await Memory.prepared(page)({ at: last.inserted_at, id: last.id })(tables)())).toEqual(
        rows,
      )
      expect(rows).toEqual(right(await Pg.all(after(last))(db.sql)()))
    }
    expect(texts.size).toBe(1)
  })

  it('refuses lists of different lengths, or empty ones, from untyped code before any SQL', () => {
    const loose = Pred.rowLt as (l: ReadonlyArray<unknown>, r: unknown) => Pred.Pred
    for (const [l, r] of [
      [[1], [1, 2]],
      [[], []],
      [[1, 2], 'x'],
    ] as const) {
      const q = pipe(
        Query.from(Blog, 'comment'),
        Query.where(c =>
          loose(
            l.map(() => c.id),
            r,
          ),
        ),
      )
      const sql = Query.toSql(q)
      expect(E.isLeft(sql) && sql.left).toMatchObject({
        _tag: 'QueryError',
        message: expect.stringMatching(/row comparison|rowLt/),
      })
    }
  })
})
