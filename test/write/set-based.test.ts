// Set-based writes: updateAll, deleteAll, insertFrom. Each plan's SQL is pinned (text and params),
// then run on PostgreSQL and on the memory semantics from the same rows: same result, same state.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Fn, Pred, Query } from '../../src/index.js'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { M, agree, fresh, kindOf, right, checkOn } from './set-model.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())
beforeEach(async () => {
  await run(db.sql, fresh())
})

// Pins the SQL, runs on both, and checks they agree on the result and the state.
const check = <A>(
  plan: Write.Plan<A>,
  sql: ReadonlyArray<{ text: string; params: ReadonlyArray<unknown> }>,
) => checkOn(db.sql, plan, sql)

const comments = Query.from(M, 'comment')
const posts = Query.from(M, 'post')

describe('updateAll', () => {
  it('by an association filter: "mark every comment on posts by author 1 public", the count', async () => {
    const plan = right(
      Write.updateAll(
        pipe(
          comments,
          Query.where((_, $) => $.exists('post', p => Pred.eq(p.author_id, 1))),
        ),
        { public: true },
      ),
    )
    const o = await check(plan, [
      {
        text: 'update "comments" as "t0" set "public" = $1 where exists (select 1 from "posts" as "e1_0" where "e1_0"."id" = "t0"."post_id" and "e1_0"."author_id" = $2) returning "id"',
        params: [true, 1],
      },
    ])
    expect(o.pg).toEqual(E.right(3))
    expect(o.pgState.get('comments')?.map(c => c['public'])).toEqual([true, true, true, false])
  })

  it('expressions over the row: inc, coalesce, arithmetic, columns; returning the rows, typed', async () => {
    const plan = right(
      Write.updateAll(
        pipe(
          posts,
          Query.where(p => Pred.gt(p.views, 0)),
        ),
        p => ({ views: Fn.mul(p.views, 2), score: Fn.coalesce(p.score, 0), title: Fn.concat(p.title, '!') }),
        { returning: true },
      ),
    )
    const o = await check(plan, [
      {
        text: 'update "posts" as "t0" set "views" = "t0"."views" * $1, "score" = coalesce("t0"."score", $2), "title" = "t0"."title" || $3 where "t0"."views" > $4 returning "id", "author_id", "title", "views", "score"',
        params: [2, 0, '!', 0],
      },
    ])
    expect(o.pg).toEqual(
      E.right([
        { id: 1, author_id: 1, title: 'hello!', views: 20, score: 0 },
        { id: 3, author_id: 2, title: 'bobs!', views: 14, score: 1 },
      ]),
    )
    const inc = right(Write.updateAll(posts, { views: Write.inc(5) }))
    await check(inc, [
      { text: 'update "posts" as "t0" set "views" = "t0"."views" + $1 returning "id"', params: [5] },
    ])
  })

  it('a query with joins picks rows by key (each written once however many joined rows match)', async () => {
    const plan = right(
      Write.updateAll(
        pipe(
          posts,
          Query.join('comments'),
          Query.where((_, $) => Pred.eq($.joined.comments.public, false)),
        ),
        { views: Write.inc(1) },
      ),
    )
    const o = await check(plan, [
      {
        text: 'update "posts" as "w0" set "views" = "w0"."views" + $1 where exists (select 1 from "posts" as "t0" inner join "comments" as "t1" on "t1"."post_id" = "t0"."id" where "t1"."public" = $2 and "t0"."id" = "w0"."id") returning "id"',
        params: [1, false],
      },
    ])
    // Post 1 has one private comment, post 2 one, post 3 one: each post once.
    expect(o.pg).toEqual(E.right(3))
    expect(o.pgState.get('posts')?.map(p => p['views'])).toEqual([11, 1, 8])
  })

  it('a subquery in the where (Pred.in over another query)', async () => {
    const liked = pipe(
      comments,
      Query.where(c => Pred.gt(c.likes, 0)),
      Query.select(c => ({ post_id: c.post_id })),
    )
    const plan = right(
      Write.updateAll(
        pipe(
          posts,
          Query.where(p => Pred.isIn(p.id, liked)),
        ),
        { score: 100 },
      ),
    )
    const o = await check(plan, [
      {
        text: 'update "posts" as "t0" set "score" = $1 where "t0"."id" in (select "s1_0"."post_id" from "comments" as "s1_0" where "s1_0"."likes" > $2) returning "id"',
        params: [100, 0],
      },
    ])
    expect(o.pg).toEqual(E.right(2))
  })

  it('a failing update (a foreign key) leaves both states unchanged, with the same error', async () => {
    const plan = right(Write.updateAll(comments, { post_id: 99 }))
    const o = await agree(db.sql, plan)
    expect(kindOf(o.pg)).toEqual({ _tag: 'DbError', kind: 'ForeignKeyViolation', code: '23503' })
    expect(kindOf(o.memory)).toEqual(kindOf(o.pg))
    expect(o.pgState).toEqual(o.before)
    expect(o.memoryState).toEqual(o.before)
  })

  it('a unique violation: same error on both', async () => {
    const plan = right(Write.updateAll(Query.from(M, 'user'), { email: 'same@x' }))
    const o = await agree(db.sql, plan)
    expect(kindOf(o.pg)).toEqual({ _tag: 'DbError', kind: 'UniqueViolation', code: '23505' })
    expect(kindOf(o.memory)).toEqual(kindOf(o.pg))
    expect(o.pgState).toEqual(o.before)
  })
})

describe('deleteAll', () => {
  it('by a filter, the count; by an association filter, the rows', async () => {
    const plan = right(
      Write.deleteAll(
        pipe(
          comments,
          Query.where(c => Pred.eq(c.public, false)),
        ),
      ),
    )
    const o = await check(plan, [
      { text: 'delete from "comments" as "t0" where "t0"."public" = $1 returning "id"', params: [false] },
    ])
    expect(o.pg).toEqual(E.right(3))
    await run(db.sql, fresh())
    const rows = right(
      Write.deleteAll(
        pipe(
          comments,
          Query.where((_, $) => $.exists('post', p => Pred.eq(p.title, 'bobs'))),
        ),
        { returning: true },
      ),
    )
    const r = await check(rows, [
      {
        text: 'delete from "comments" as "t0" where exists (select 1 from "posts" as "e1_0" where "e1_0"."id" = "t0"."post_id" and "e1_0"."title" = $1) returning "id", "post_id", "body", "public", "likes"',
        params: ['bobs'],
      },
    ])
    expect(r.pg).toEqual(E.right([{ id: 4, post_id: 3, body: 'd', public: false, likes: 0 }]))
  })

  it('a delete the foreign keys refuse: same error, nothing deleted on either', async () => {
    const plan = right(
      Write.deleteAll(
        pipe(
          posts,
          Query.where(p => Pred.eq(p.id, 1)),
        ),
      ),
    )
    const o = await agree(db.sql, plan)
    expect(kindOf(o.pg)).toEqual({ _tag: 'DbError', kind: 'ForeignKeyViolation', code: '23503' })
    expect(kindOf(o.memory)).toEqual(kindOf(o.pg))
    expect(o.pgState).toEqual(o.before)
    expect(o.memoryState).toEqual(o.before)
  })

  it('with joins: by key', async () => {
    const plan = right(
      Write.deleteAll(
        pipe(
          comments,
          Query.join('post'),
          Query.where((_, $) => Pred.eq($.joined.post.author_id, 2)),
        ),
      ),
    )
    const o = await check(plan, [
      {
        text: 'delete from "comments" as "w0" where exists (select 1 from "comments" as "t0" inner join "posts" as "t1" on "t1"."id" = "t0"."post_id" where "t1"."author_id" = $1 and "t0"."id" = "w0"."id") returning "id"',
        params: [2],
      },
    ])
    expect(o.pg).toEqual(E.right(1))
  })
})

describe('insertFrom', () => {
  it('insert ... select from a projection whose outputs name the columns', async () => {
    const plan = right(
      Write.insertFrom(
        M,
        'archive',
        pipe(
          posts,
          Query.where(p => Pred.gt(p.views, 0)),
          Query.select(p => ({
            title: Fn.upper(p.title),
            note: Fn.concat('by ', Fn.cast(p.author_id, 'text')),
          })),
          Query.orderBy(p => [p.id]),
        ),
      ),
    )
    const o = await check(plan, [
      {
        text: 'insert into "archives" ("title", "note") select upper("t0"."title") as "title", $1 || cast("t0"."author_id" as text) as "note" from "posts" as "t0" where "t0"."views" > $2 order by "t0"."id" asc returning "id", "title", "note"',
        params: ['by ', 0],
      },
    ])
    expect(o.pg).toEqual(
      E.right([
        { id: 1, title: 'HELLO', note: 'by 1' },
        { id: 2, title: 'BOBS', note: 'by 2' },
      ]),
    )
  })
})

describe('refused before any SQL, naming the schema (and column)', () => {
  const refused = (e: E.Either<Write.SetError, unknown>) => (E.isLeft(e) ? e.left : null)
  it('queries that do not name rows', () => {
    const cases = [
      pipe(
        posts,
        Query.select(p => ({ id: p.id })),
      ),
      pipe(posts, Query.limit(1)),
      pipe(posts, Query.offset(1)),
      pipe(
        posts,
        Query.orderBy(p => [p.id]),
      ),
      pipe(posts, Query.distinct()),
      pipe(posts, Query.preload({ comments: true })),
    ]
    for (const q of cases) {
      expect(refused(Write.updateAll(q as never, { views: 1 }))).toMatchObject({
        code: 'Unsupported',
        schema: 'post',
      })
      expect(refused(Write.deleteAll(q as never))).toMatchObject({ code: 'Unsupported', schema: 'post' })
    }
  })
  it("a query's own error is returned", () => {
    const bad = pipe(
      posts,
      Query.where(p => (p as unknown as Record<string, never>)['nope'] as never),
    )
    expect(refused(Write.updateAll(bad, { views: 1 }))).toMatchObject({ _tag: 'QueryError', schema: 'post' })
  })
  it('unknown columns, values the codec rejects, terms of another type, aggregates, stray bindings', () => {
    expect(refused(Write.updateAll(posts, { nope: 1 } as never))).toMatchObject({
      code: 'UnknownColumn',
      schema: 'post',
      column: 'nope',
    })
    expect(refused(Write.updateAll(posts, { views: 'many' } as never))).toMatchObject({
      code: 'InvalidValue',
      schema: 'post',
      column: 'views',
    })
    expect(refused(Write.updateAll(posts, { title: { an: 'object' } } as never))).toMatchObject({
      code: 'InvalidValue',
      column: 'title',
    })
    expect(refused(Write.updateAll(posts, p => ({ views: p.title }) as never))).toMatchObject({
      code: 'InvalidValue',
      column: 'views',
    })
    expect(refused(Write.updateAll(posts, p => ({ views: Fn.count(p.id) })))).toMatchObject({
      code: 'InvalidValue',
      column: 'views',
    })
    expect(refused(Write.updateAll(posts, { title: Write.inc(1) } as never))).toMatchObject({
      column: 'title',
    })
    expect(refused(Write.updateAll(posts, {}))).toMatchObject({ code: 'InvalidValue', schema: 'post' })
    let stray: unknown
    pipe(
      comments,
      Query.where(c => {
        stray = c.likes
        return Pred.gt(c.likes, 0)
      }),
    )
    const joined = pipe(
      posts,
      Query.join('comments'),
      Query.where(p => Pred.gt(p.views, 0)),
    )
    // The comments' term reads `t0`; in a joined update the target is `w0`.
    expect(refused(Write.updateAll(joined, { views: stray as never }))).toMatchObject({ column: 'views' })
    expect(
      refused(
        Write.updateAll(posts, () => {
          throw new Error('boom')
        }),
      ),
    ).toMatchObject({ code: 'InvalidValue', schema: 'post' })
  })
  it('insertFrom: whole rows, unknown outputs, missing required columns, incompatible types', () => {
    expect(refused(Write.insertFrom(M, 'archive', posts as never))).toMatchObject({
      code: 'Unsupported',
      schema: 'archive',
    })
    expect(
      refused(
        Write.insertFrom(
          M,
          'archive',
          pipe(
            posts,
            Query.select(p => ({ title: p.title, views: p.views })),
          ) as never,
        ),
      ),
    ).toMatchObject({ code: 'UnknownColumn', column: 'views' })
    expect(
      refused(
        Write.insertFrom(
          M,
          'archive',
          pipe(
            posts,
            Query.select(p => ({ note: p.title })),
          ) as never,
        ),
      ),
    ).toMatchObject({ code: 'MissingColumn', column: 'title' })
    expect(
      refused(
        Write.insertFrom(
          M,
          'archive',
          pipe(
            posts,
            Query.select(p => ({ title: p.views })),
          ) as never,
        ),
      ),
    ).toMatchObject({ code: 'InvalidValue', column: 'title' })
  })
  it('junk is a Left, never a throw', () => {
    for (const junk of [null, 1, 'q', { returning: 'yes' }])
      expect(E.isLeft(Write.deleteAll(posts, junk as never))).toBe(true)
    for (const junk of [
      null,
      undefined,
      1,
      'q',
      {},
      { _tag: 'Query' },
      new Proxy(
        {},
        {
          get: () => {
            throw new Error('x')
          },
        },
      ),
    ]) {
      expect(E.isLeft(Write.updateAll(junk as never, { views: 1 }))).toBe(true)
      expect(E.isLeft(Write.updateAll(posts, junk as never))).toBe(true)
      expect(E.isLeft(Write.deleteAll(junk as never))).toBe(true)
      expect(E.isLeft(Write.insertFrom(M, 'archive', junk as never))).toBe(true)
      expect(E.isLeft(Write.insertFrom(junk as never, junk as never, junk as never))).toBe(true)
    }
  })
})
