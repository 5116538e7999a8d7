// Joins of subqueries (issue 15): `Query.joinQuery` (a projection joined as a derived table, with an
// `on` over its row and the root row) and `Query.joinLateral` (a correlated subquery run per row).
// Golden SQL, then PostgreSQL = memory; the refusals before any SQL.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { Column, Fn, Memory, Pg, Pred, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import type { TestDb } from '../support/db.js'
import { agree, openBlog, refused } from './fixture.js'

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  ;({ db, tables } = await openBlog(['users', 'posts', 'comments']))
})
afterAll(async () => db.close())

const posts = Query.from(Blog, 'post')
const counts = pipe(
  Query.from(Blog, 'comment'),
  Query.groupBy(c => [c.post_id]),
  Query.select(c => ({ post_id: c.post_id, n: Fn.count() })),
)

describe('Query.joinQuery', () => {
  it('a grouped subquery joined left: the counts of each post, 0 where it has none', async () => {
    const q = pipe(
      posts,
      Query.joinQuery(counts, 'left', { as: 'stats', on: (s, p) => Pred.eq(s.post_id, p.id) }),
      Query.select((p, $) => ({ id: p.id, comments: Fn.coalesce($.joined.stats.n, 0) })),
      Query.orderBy(['id']),
    )
    const rows = await agree(
      { db, tables },
      q,
      'select "t0"."id", coalesce("t1"."n", $1) as "comments" from "posts" as "t0" left join ' +
        '(select "s1_0"."post_id", count(*) as "n" from "comments" as "s1_0" group by "s1_0"."post_id") as "t1" ' +
        'on "t1"."post_id" = "t0"."id" order by "t0"."id" asc',
      [0],
    )
    expect(rows.length).toBe(4)
    expect(rows.some(r => r['comments'] === 0)).toBe(true)
    expect(rows.find(r => r['id'] === 1)?.['comments']).toBe(3)
  })

  it('inner and right joins, a filter and an order over the joined outputs', async () => {
    const busy = pipe(
      posts,
      Query.joinQuery(counts, 'inner', { as: 'stats', on: (s, p) => Pred.eq(s.post_id, p.id) }),
      Query.where((_, $) => Pred.gte($.joined.stats.n, 1)),
      Query.select((p, $) => ({ title: p.title, n: $.joined.stats.n })),
      Query.orderBy((_, $) => [['desc', $.joined.stats.n], 'title']),
    )
    const rows = await agree(
      { db, tables },
      busy,
      'select "t0"."title", "t1"."n" from "posts" as "t0" inner join (select "s1_0"."post_id", count(*) as "n" ' +
        'from "comments" as "s1_0" group by "s1_0"."post_id") as "t1" on "t1"."post_id" = "t0"."id" ' +
        'where "t1"."n" >= $1 order by "t1"."n" desc, "t0"."title" asc',
      [1],
    )
    expect(rows[0]?.['n']).toBe(3)
    const right = pipe(
      posts,
      Query.joinQuery(counts, 'right', { as: 'stats', on: (s, p) => Pred.eq(s.post_id, p.id) }),
      Query.select((p, $) => ({ title: p.title, post: $.joined.stats.post_id })),
    )
    const sql = Query.toSql(right)
    expect(E.isRight(sql) && sql.right.text).toContain('right join (select')
    await agree({ db, tables }, right, (sql as E.Right<{ text: string }>).right.text, [])
  })

  it('a column the subquery left-joins may be NULL in the joined row: typed and decoded so', async () => {
    const bodies = pipe(
      posts,
      Query.join('comments', 'left'),
      Query.select((p, $) => ({ pid: p.id, body: $.joined.comments.body })),
    )
    const q = pipe(
      posts,
      Query.joinQuery(bodies, 'inner', { as: 'b', on: (b, p) => Pred.eq(b.pid, p.id) }),
      Query.select((p, $) => ({ id: p.id, body: $.joined.b.body })),
      Query.orderBy(['id', 'body']),
    )
    expectTypeOf<Query.RowOf<typeof q>>().toEqualTypeOf<{
      readonly id: number
      readonly body: string | null
    }>()
    const rows = await agree(
      { db, tables },
      q,
      'select "t0"."id", "t1"."body" from "posts" as "t0" inner join (select "s1_0"."id" as "pid", "s1_1"."body" ' +
        'from "posts" as "s1_0" left join "comments" as "s1_1" on "s1_1"."post_id" = "s1_0"."id") as "t1" ' +
        'on "t1"."pid" = "t0"."id" order by "t0"."id" asc, "t1"."body" asc',
      [],
    )
    // A post without comments: its row from the subquery has no body (it failed to decode before).
    expect(rows.some(r => r['body'] === null)).toBe(true)
    expect(rows.some(r => typeof r['body'] === 'string')).toBe(true)
  })

  it('a subquery built inside a callback, joined in an embedded query, keeps its namespaces apart', async () => {
    const q = pipe(
      Query.from(Blog, 'user'),
      Query.select(u => ({
        name: u.name,
        most: Fn.scalar(
          pipe(
            posts,
            Query.joinQuery(counts, 'inner', { as: 'stats', on: (s, p) => Pred.eq(s.post_id, p.id) }),
            Query.where(p => Pred.eq(p.author_id, u.id)),
            Query.select((_, $) => ({ n: Fn.max($.joined.stats.n) })),
          ),
        ),
      })),
      Query.orderBy(['name']),
    )
    const sql = Query.toSql(q)
    if (E.isLeft(sql)) throw new Error(sql.left.message)
    await agree({ db, tables }, q, sql.right.text, sql.right.params)
  })
})

describe('Query.joinLateral', () => {
  const newest = (kind: 'inner' | 'left') =>
    pipe(
      posts,
      Query.joinLateral(
        'top',
        p =>
          pipe(
            Query.from(Blog, 'comment'),
            Query.where(c => Pred.eq(c.post_id, p.id)),
            Query.select(c => ({ body: c.body, at: c.inserted_at })),
            Query.orderBy([
              ['desc', 'inserted_at'],
              ['desc', 'id'],
            ]),
            Query.limit(2),
          ),
        kind,
      ),
      Query.select((p, $) => ({ id: p.id, body: $.joined.top.body, at: $.joined.top.at })),
      Query.orderBy((p, $) => [p.id, ['desc', $.joined.top.at]]),
    )

  it('the two newest comments of each post (inner: posts with comments only; left: every post)', async () => {
    const inner = await agree(
      { db, tables },
      newest('inner'),
      'select "t0"."id", "t1"."body", "t1"."at" from "posts" as "t0" inner join lateral (select "s1_0"."body", ' +
        '"s1_0"."inserted_at" as "at" from "comments" as "s1_0" where "s1_0"."post_id" = "t0"."id" ' +
        'order by "s1_0"."inserted_at" desc, "s1_0"."id" desc limit $1) as "t1" on true order by "t0"."id" asc, "t1"."at" desc',
      [2],
    )
    const perPost = new Map<unknown, number>()
    for (const r of inner) perPost.set(r['id'], (perPost.get(r['id']) ?? 0) + 1)
    expect([...perPost.values()].every(n => n <= 2)).toBe(true)
    const left = newest('left')
    const sql = Query.toSql(left)
    if (E.isLeft(sql)) throw new Error(sql.left.message)
    expect(sql.right.text).toContain('left join lateral (select')
    const all = await agree({ db, tables }, left, sql.right.text, sql.right.params)
    expect(all.some(r => r['body'] === null)).toBe(true)
  })
})

describe('refused before any SQL', () => {
  it('whole rows, an unknown kind, a bound name, a missing name, a lateral right join, an unknown output', () => {
    const on = { as: 'stats' } as const
    refused(
      pipe(posts, Query.joinQuery(Query.from(Blog, 'comment') as never, 'left', on)),
      'InvalidArgument',
      /projection/,
    )
    refused(
      pipe(posts, Query.joinQuery(counts, 'sideways' as never, on)),
      'InvalidArgument',
      /kind of a join/,
    )
    refused(
      pipe(posts, Query.joinQuery(counts, 'left', on), Query.joinQuery(counts, 'left', on)),
      'InvalidArgument',
      /already bound/,
    )
    refused(pipe(posts, Query.joinQuery(counts, 'left', {} as never)), 'InvalidArgument', /option 'as'/)
    refused(
      pipe(
        posts,
        Query.joinLateral('x', () => counts, 'right' as never),
      ),
      'InvalidArgument',
      /lateral join is 'inner' or 'left'/,
    )
    refused(
      pipe(
        posts,
        Query.joinQuery(counts, 'left', on),
        Query.select((_, $) => ({
          x: ($.joined.stats as unknown as Record<string, never>)['nope'] as never,
        })),
      ),
      'UnknownColumn',
      /no output 'nope'/,
    )
  })
})

describe('Fn.fragment: a typed fragment', () => {
  it('decodes with its type on PostgreSQL (the memory interpreter runs no SQL text); a plain array is refused', async () => {
    const q = pipe(
      posts,
      Query.select(p => ({ id: p.id, twice: Fn.fragment(Column.integer)`(${p.id} * ${2})` })),
      Query.orderBy(['id']),
    )
    const sql = Query.toSql(q)
    expect(sql).toEqual(
      E.right({
        text: 'select "t0"."id", (("t0"."id" * $1)) as "twice" from "posts" as "t0" order by "t0"."id" asc',
        params: [2],
      }),
    )
    const pg = await Pg.all(q)(db.sql)()
    expect(E.isRight(pg) && pg.right.map(r => r.twice)).toEqual([2, 4, 6, 8])
    const untyped = Fn.fragment(Column.integer)(Object.freeze(['1']) as never)
    refused(
      pipe(
        posts,
        Query.select(() => ({ x: untyped })),
      ),
      'InvalidArgument',
      /tagged template/,
    )
    refused(
      pipe(
        posts,
        Query.select(() => ({ x: Fn.fragment('int' as never)`1` })),
      ),
      'InvalidArgument',
      /a Column or an io-ts codec/,
    )
  })
})
