// A preload query with a projection (issue 15, "Relation aggregates": "each post with its 3 newest
// comments, each with its like count"): the child rows are the projection's rows plus their own
// preloads; the keys the preload needs are read and not returned. Every case runs batched and lateral
// on PostgreSQL and batched in memory (fed the database's rows): the three are deep-equal.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { Memory, Pg, Prepared, Pred, Preload, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import { right, useBlog } from './harness.js'

const { env, trees } = useBlog()

const posts = pipe(Query.from(Blog, 'post'), Query.orderBy(['id']))
const comments = Query.from(Blog, 'comment')

// Each comment's body and reply count, newest first.
const newest = pipe(
  comments,
  Query.select((c, $) => ({ body: c.body, replies: $.count('children') })),
  Query.orderBy(c => [['desc', c.inserted_at]]),
  Query.limit(3),
)

describe('Preload.query with a projection', () => {
  it('each post with its 3 newest comments, each with its reply count', async () => {
    const q = pipe(posts, Query.preload({ comments: Preload.query(newest) }))
    const rows = await trees(q)
    expect(rows.map(p => [p.id, p.comments])).toEqual([
      [
        1,
        [
          { body: 'thanks', replies: 0 },
          { body: 'agreed', replies: 0 },
          { body: 'nice', replies: 2 },
        ],
      ],
      [2, [{ body: 'self reply', replies: 0 }]],
      [3, [{ body: 'hi bob', replies: 0 }]],
      [4, []],
    ])
    // The child rows hold the outputs only: the key columns read for the preload are not returned.
    expect(Object.keys(rows[0]?.comments[0] ?? {})).toEqual(['body', 'replies'])
    const b = right(Query.statements(q, { strategy: 'batched' }), 'statements')
    expect(b.statements[1]?.text).toBe(
      'select "__top"."id", "__top"."post_id", "__top"."author_id", "__top"."parent_id", "__top"."body", "__top"."public", "__top"."inserted_at", "__top"."__s1" ' +
        'from unnest($1::integer[]) as "__keys"("v") cross join lateral (' +
        'select "t0"."id", "t0"."post_id", "t0"."author_id", "t0"."parent_id", "t0"."body", "t0"."public", "t0"."inserted_at", "t0"."__s1" ' +
        'from (select "t0"."id", "t0"."post_id", "t0"."author_id", "t0"."parent_id", "t0"."body", "t0"."public", "t0"."inserted_at", ' +
        '(select count(*) as "count" from "comments" as "e1_0" where "e1_0"."parent_id" = "t0"."id") as "__s1" from "comments" as "t0") as "t0" ' +
        'where "t0"."post_id" = "__keys"."v" order by "t0"."inserted_at" desc, "t0"."id" asc limit $2) as "__top"',
    )
    const l = right(Query.statements(q, { strategy: 'lateral' }), 'statements')
    expect(l.statements[0]?.text).toBe(
      'select "t0"."id", "t0"."author_id", "t0"."title", "t0"."body", "t0"."published", "t0"."inserted_at", ' +
        '(select coalesce(json_agg(row_to_json("j0")), \'[]\'::json) from (' +
        'select "p0_0"."id", "p0_0"."post_id", "p0_0"."author_id", "p0_0"."parent_id", "p0_0"."body", "p0_0"."public", "p0_0"."inserted_at", "p0_0"."__s1"::text as "__s1" ' +
        'from (select "t0"."id", "t0"."post_id", "t0"."author_id", "t0"."parent_id", "t0"."body", "t0"."public", "t0"."inserted_at", ' +
        '(select count(*) as "count" from "comments" as "e1_0" where "e1_0"."parent_id" = "t0"."id") as "__s1" from "comments" as "t0") as "p0_0" ' +
        'where "p0_0"."post_id" = "t0"."id" order by "p0_0"."inserted_at" desc, "p0_0"."id" asc limit $1) as "j0") as "comments" ' +
        'from "posts" as "t0" order by "t0"."id" asc',
    )
  })

  it('loads nested preloads over keys the projection does not select', async () => {
    // `author_id` and `id` are not selected: the author and the replies are still loaded.
    const q = pipe(
      posts,
      Query.where(p => Pred.eq(p.id, 1)),
      Query.preload({
        comments: Preload.query(
          pipe(
            comments,
            Query.select(c => ({ text: c.body })),
            Query.orderBy(c => [c.id]),
            Query.preload({ author: true }),
          ),
          {
            children: Preload.query(
              pipe(
                comments,
                Query.select((c, $) => ({ id: c.id, replies: $.count('children') })),
              ),
            ),
          },
        ),
      }),
    )
    const rows = await trees(q)
    expect(rows[0]?.comments).toEqual([
      {
        text: 'nice',
        author: O.some({ id: 2, name: 'bob', email: null }),
        children: [
          { id: 2, replies: 0 },
          { id: 3, replies: 0 },
        ],
      },
      { text: 'agreed', author: O.some({ id: 3, name: 'cy', email: 'cy@example.com' }), children: [] },
      { text: 'thanks', author: O.some({ id: 2, name: 'bob', email: null }), children: [] },
    ])
  })

  it('a to-one association, over a left join and with a sum', async () => {
    const q = pipe(
      comments,
      Query.where(c => Pred.in(c.id, [1, 4, 6])),
      Query.orderBy(['id']),
      Query.preload({
        post: Preload.query(
          pipe(
            Query.from(Blog, 'post'),
            Query.join('author', 'left'),
            Query.select((p, $) => ({
              title: p.title,
              by: $.joined.author.name,
              ids: $.sum('comments', c => c.id),
            })),
          ),
        ),
      }),
    )
    const rows = await trees(q)
    expect(rows.map(c => c.post)).toEqual([
      O.some({ title: 'hello', by: 'ada', ids: 6 }),
      O.some({ title: 'again', by: 'ada', ids: 4 }),
      O.none,
    ])
  })

  it('under a projected root, and into rows in memory', async () => {
    const q = pipe(
      posts,
      Query.select(p => ({ title: p.title })),
      Query.preload({ comments: Preload.query(newest) }),
    )
    const rows = await trees(q)
    expect(rows[1]).toEqual({ title: 'again', comments: [{ body: 'self reply', replies: 0 }] })
    const parents = right(
      await Pg.all(
        pipe(
          posts,
          Query.where(p => Pred.eq(p.id, 2)),
        ),
      )(env.db.sql)(),
      'parents',
    )
    for (const strategy of ['batched', 'lateral'] as const) {
      const into = right(
        await Pg.preloadInto(Blog, 'post', { comments: Preload.query(newest) }, { strategy })(parents)(
          env.db.sql,
        )(),
        strategy,
      )
      expect(into[0]?.comments).toEqual([{ body: 'self reply', replies: 0 }])
    }
  })

  it('in a prepared query, with a placeholder in the preload query', async () => {
    const p = Prepared.make({ body: t.string }, ({ body }) =>
      pipe(
        posts,
        Query.preload({
          comments: Preload.query(
            pipe(
              comments,
              Query.where(c => Pred.neq(c.body, body)),
              Query.select((c, $) => ({ body: c.body, replies: $.count('children') })),
              Query.orderBy(c => [c.id]),
            ),
          ),
        }),
      ),
    )
    for (const strategy of ['batched', 'lateral'] as const) {
      const rows = right(await Pg.prepared(p, { strategy })({ body: 'nice' })(env.db.sql)(), strategy)
      expect(rows[0]?.comments).toEqual([
        { body: 'agreed', replies: 0 },
        { body: 'thanks', replies: 0 },
      ])
    }
    const mem = right(await Memory.prepared(p)({ body: 'agreed' })(env.tables)(), 'memory')
    expect(mem[0]?.comments).toEqual([
      { body: 'nice', replies: 2 },
      { body: 'thanks', replies: 0 },
    ])
  })
})

describe('Preload.query with a projection: bad input', () => {
  const refused = (q: Query.AnyQuery, code: string, message: RegExp) => {
    const r = Query.toSql(q)
    expect(E.isLeft(r) && r.left).toMatchObject({ code, message: expect.stringMatching(message) })
  }

  it('an aggregate over an association the target does not have', () => {
    const bad = pipe(
      comments,
      Query.select((c, $) => ({ id: c.id, n: $.count('likes' as never) })),
    )
    refused(
      pipe(posts, Query.preload({ comments: Preload.query(bad) })),
      'UnknownAssociation',
      /preload 'comments' of schema 'post': .*likes/,
    )
  })

  it('an output named like an association preloaded under it', () => {
    const clash = pipe(
      comments,
      Query.select(c => ({ author: c.author_id })),
    )
    refused(
      pipe(posts, Query.preload({ comments: Preload.query(clash, { author: true }) })),
      'InvalidArgument',
      /preload 'comments' of schema 'post': the projection has an output named 'author'/,
    )
  })

  it('a projection on a through association, a grouping', () => {
    const users = pipe(
      Query.from(Blog, 'user'),
      Query.select(u => ({ name: u.name })),
    )
    refused(
      pipe(posts, Query.preload({ commentsAuthors: Preload.query(users) })),
      'Unsupported',
      /preload 'commentsAuthors' of schema 'post': .*through association .*cannot have a projection/,
    )
    const grouped = pipe(
      comments,
      Query.groupBy(c => [c.id]),
      Query.select((c, $) => ({ id: c.id, n: $.count('children') })),
    )
    refused(pipe(posts, Query.preload({ comments: Preload.query(grouped) })), 'Unsupported', /cannot group/)
  })
})
