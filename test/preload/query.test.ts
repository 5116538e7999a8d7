// A preload's custom query as a query value (issue 15, "Preloads, completed"): joins from the child,
// `where` over joined bindings, `orderBy` over joined columns and relation aggregates, a per-parent
// limit, its own preloads. Every case runs batched and lateral on PostgreSQL and batched in memory
// (fed the database's rows), and the three trees are deep-equal.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import * as t from 'io-ts'
import { Memory, Pg, Prepared, Pred, Preload, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import { right, useBlog } from './harness.js'

const { env, trees } = useBlog()

const posts = pipe(Query.from(Blog, 'post'), Query.orderBy(['id']))
const comments = Query.from(Blog, 'comment')

describe('Preload.query with a query value', () => {
  it('orders by a relation aggregate, with a per-parent limit and a nested preload', async () => {
    // Each post with its 2 comments that have the most replies (then the newest), each with its author.
    const mostReplied = pipe(
      comments,
      Query.orderBy((c, $) => [
        ['desc', $.count('children')],
        ['desc', c.inserted_at],
      ]),
      Query.limit(2),
    )
    const q = pipe(posts, Query.preload({ comments: Preload.query(mostReplied, { author: true }) }))
    const rows = await trees(q)
    expect(rows.map(p => [p.id, p.comments.map(c => c.id)])).toEqual([
      [1, [1, 3]],
      [2, [4]],
      [3, [5]],
      [4, []],
    ])
    expect(rows[0]?.comments[0]?.author).toEqual(O.some({ id: 2, name: 'bob', email: null }))
    // The lateral statement reads the comments from the query's select, the aggregate as `__o0`.
    const s = right(Query.statements(q, { strategy: 'lateral' }), 'statements')
    expect(s.statements[0]?.text).toContain(
      'from (select "t0"."id", "t0"."post_id", "t0"."author_id", "t0"."parent_id", "t0"."body", "t0"."public", "t0"."inserted_at", ' +
        '(select count(*) as "count" from "comments" as "e1_0" where "e1_0"."parent_id" = "t0"."id") as "__o0" from "comments" as "t0") as "p0_0" ' +
        'where "p0_0"."post_id" = "t0"."id" order by "p0_0"."__o0" desc, "p0_0"."inserted_at" desc, "p0_0"."id" asc limit $1',
    )
  })

  it('joins from the child, filters and orders over the joined binding', async () => {
    const byNamedAuthors = pipe(
      comments,
      Query.join('author'),
      Query.where((_, $) => Pred.in($.joined.author.name, ['bob', 'cy'])),
      Query.orderBy((c, $) => [['desc', $.joined.author.name], c.id]),
    )
    const q = pipe(posts, Query.preload({ comments: Preload.query(byNamedAuthors) }))
    const rows = await trees(q)
    // comment 4 is ada's; 2 and 5 are cy's, 1 and 3 bob's
    expect(rows.map(p => p.comments.map(c => c.id))).toEqual([[2, 1, 3], [], [5], []])
    const b = right(Query.statements(q, { strategy: 'batched' }), 'statements')
    expect(b.statements[1]).toMatchObject({
      text:
        'select "t0"."id", "t0"."post_id", "t0"."author_id", "t0"."parent_id", "t0"."body", "t0"."public", "t0"."inserted_at" ' +
        'from (select "t0"."id", "t0"."post_id", "t0"."author_id", "t0"."parent_id", "t0"."body", "t0"."public", "t0"."inserted_at", "t1"."name" as "__o0" ' +
        'from "comments" as "t0" inner join "users" as "t1" on "t1"."id" = "t0"."author_id" where "t1"."name" = any($1)) as "t0" ' +
        'where "t0"."post_id" = any($2) order by "t0"."__o0" desc, "t0"."id" asc',
      params: [['bob', 'cy'], []], // the keys are the root's rows' (none without a database)
    })
  })

  it('keeps the association where and its custom source', async () => {
    const q = pipe(
      posts,
      Query.preload({
        publicComments: Preload.query(
          pipe(
            comments,
            Query.where(c => Pred.neq(c.author_id, 3)),
          ),
        ),
        archivedComments: Preload.query(pipe(comments, Query.orderBy([['desc', 'id']]))),
      }),
    )
    const rows = await trees(q)
    expect(rows.map(p => p.publicComments.map(c => c.id))).toEqual([[1], [4], [], []])
    expect(rows.map(p => p.archivedComments.map(c => c.id))).toEqual([[100], [], [], []])
  })

  it('on a through: the query filters the last hop, its limit cuts the walk', async () => {
    const q = pipe(
      posts,
      Query.preload({
        commentsAuthors: Preload.query(
          pipe(
            Query.from(Blog, 'user'),
            Query.where(u => Pred.neq(u.name, 'ada')),
            Query.limit(1),
          ),
        ),
      }),
    )
    const rows = await trees(q)
    expect(rows.map(p => p.commentsAuthors.map(u => u.name))).toEqual([['bob'], [], ['cy'], []])
  })

  it('on a through with its hops hidden: the same value, and no hop on the rows', async () => {
    const authors = pipe(
      Query.from(Blog, 'user'),
      Query.where(u => Pred.neq(u.name, 'ada')),
      Query.orderBy(u => [['desc', u.name]]),
      Query.limit(1),
    )
    const shown = await trees(pipe(posts, Query.preload({ commentsAuthors: Preload.query(authors) })))
    const q = pipe(
      posts,
      Query.preload({ commentsAuthors: Preload.query(authors, { posts: true }, { hops: 'hide' }) }),
    )
    const rows = await trees(q)
    expect(rows.map(p => p.commentsAuthors.map(u => u.name))).toEqual(
      shown.map(p => p.commentsAuthors.map(u => u.name)),
    )
    expect(rows.map(p => p.commentsAuthors.map(u => u.name))).toEqual([['bob'], [], ['cy'], []])
    expect(rows.map(p => p.commentsAuthors.map(u => u.posts.map(x => x.id)))).toEqual([[[3]], [], [[]], []])
    // The hops are loaded to be walked, then left off: the rows carry no `comments`.
    expect(Object.keys(rows[0] ?? {})).not.toContain('comments')
    expect(Object.keys(shown[0] ?? {})).toContain('comments')
    // Beside the same hop preloaded on its own, the hop is shown (the spec asks for it).
    const both = await trees(
      pipe(
        posts,
        Query.preload({
          comments: true,
          commentsAuthors: Preload.query(authors, {}, { hops: 'hide' }),
        }),
      ),
    )
    expect(both.map(p => [p.comments.length, p.commentsAuthors.length])).toEqual([
      [3, 1],
      [1, 0],
      [1, 1],
      [0, 0],
    ])
  })

  it("merges the query's own preloads with the nested spec", async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.eq(p.id, 1)),
      Query.preload({
        comments: Preload.query(pipe(comments, Query.preload({ author: true })), { parent: true }),
      }),
    )
    const rows = await trees(q)
    const c = rows[0]?.comments.find(x => x.id === 2)
    expect(c?.author).toEqual(O.some({ id: 3, name: 'cy', email: 'cy@example.com' }))
    expect(O.map((p: { readonly id: number }) => p.id)(c?.parent ?? O.none)).toEqual(O.some(1))
  })
})

describe('Preload.query with a query value: bad input', () => {
  const refused = (q: Query.AnyQuery, code: string, message: RegExp) => {
    const r = Query.toSql(q)
    expect(E.isLeft(r) && r.left).toMatchObject({ code, message: expect.stringMatching(message) })
  }

  it("'hops' on an association that is not a through, or a bad hops option", () => {
    refused(
      pipe(posts, Query.preload({ comments: Preload.query(comments, {}, { hops: 'hide' }) })),
      'InvalidArgument',
      /preload 'comments' of schema 'post': 'hops' \('show' \| 'hide'\) applies to through associations only/,
    )
    refused(
      pipe(
        posts,
        Query.preload({
          commentsAuthors: Preload.query(Query.from(Blog, 'user'), {}, { hops: 'hidden' } as never),
        }),
      ),
      'InvalidArgument',
      /preload 'commentsAuthors' of schema 'post': Preload.query: expected options \{ hops: 'show' \| 'hide' \}/,
    )
  })

  it('a query over another schema', () => {
    const q = pipe(
      posts,
      // @ts-expect-error the query is over 'user', not 'comment'
      Query.preload({ comments: Preload.query(Query.from(Blog, 'user')) }),
    )
    refused(
      q as Query.AnyQuery,
      'InvalidArgument',
      /the query is over schema 'user', not the association's target 'comment'/,
    )
  })

  it('a query with an error (an unknown joined binding from untyped code)', () => {
    const bad = pipe(comments, Query.join('nope' as never))
    refused(
      pipe(posts, Query.preload({ comments: Preload.query(bad) })),
      'UnknownAssociation',
      /preload 'comments' of schema 'post': .*nope/,
    )
  })

  it('a grouping (a projection is test/preload/projection.test.ts)', () => {
    const grouped = pipe(
      comments,
      Query.groupBy(c => [c.id]),
    )
    refused(pipe(posts, Query.preload({ comments: Preload.query(grouped) })), 'Unsupported', /cannot group/)
  })

  it('a query of another model', () => {
    const Other = { ...Blog } as typeof Blog
    refused(
      pipe(posts, Query.preload({ comments: Preload.query(Query.from(Other, 'comment')) })),
      'InvalidArgument',
      /another model/,
    )
  })
})

describe('Preload.query with a query value, prepared', () => {
  it('a placeholder inside the preload query is bound in every strategy', async () => {
    const build = (min: Pred.Term<number>) =>
      pipe(
        posts,
        Query.preload({
          comments: Preload.query(
            pipe(
              comments,
              Query.where(c => Pred.gte(c.id, min)),
            ),
          ),
        }),
      )
    const p = Prepared.make({ min: t.number }, ({ min }) => build(min))
    const adHoc = right(await Pg.all(build(Pred.value(3)))(env.db.sql)(), 'ad hoc')
    expect(adHoc.map(x => x.comments.map(c => c.id))).toEqual([[3], [4], [5], []])
    for (const strategy of ['batched', 'lateral'] as const)
      expect(await Pg.prepared(p, { strategy })({ min: 3 })(env.db.sql)()).toEqual(E.right(adHoc))
    expect(await Memory.prepared(p)({ min: 3 })(env.tables)()).toEqual(E.right(adHoc))
  })
})
