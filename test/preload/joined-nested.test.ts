// Nested join-preloads (issue 15, "Preloads, completed"): `Preload.joined` under `Preload.joined`, over
// a joined path (`Query.join(['comments', 'author'])`), at any depth: one statement, parents not
// repeated, each level's children once each in the join's order. Each query's SQL is pinned, and it
// runs on PostgreSQL (with each strategy for the rest of the spec) and in memory with equal results.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { Memory, Pg, Pred, Preload, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import { right, useBlog } from './harness.js'

const names = ['users', 'posts', 'comments', 'permalinks', 'tags', 'posts_tags']

const { env } = useBlog(names)

const cols = (a: string, k: number, cs: ReadonlyArray<string>) =>
  cs.map(c => `"${a}"."${c}" as "__j${k}_${c}"`).join(', ')
const post = '"t0"."id", "t0"."author_id", "t0"."title", "t0"."body", "t0"."published", "t0"."inserted_at"'
const commentCols = ['id', 'post_id', 'author_id', 'parent_id', 'body', 'public', 'inserted_at']
const userCols = ['id', 'name', 'email']

// The SQL of `q` and its rows: equal on PostgreSQL (auto, batched, lateral) and in memory.
const agree = async <S extends string, P, J extends Query.Joins, R>(
  q: Query.Query<typeof Blog, S, P, J, R>,
  text: string,
  params: ReadonlyArray<unknown>,
) => {
  expect(Query.toSql(q)).toEqual(E.right({ text, params }))
  const pg = right(await Pg.all(q)(env.db.sql)(), 'PostgreSQL')
  expect(right(await Pg.all(q, { strategy: 'batched' })(env.db.sql)(), 'batched')).toEqual(pg)
  expect(right(await Pg.all(q, { strategy: 'lateral' })(env.db.sql)(), 'lateral')).toEqual(pg)
  expect(right(await Memory.all(q)(env.tables)(), 'memory')).toEqual(pg)
  return pg
}

const posts = Query.from(Blog, 'post')
const ada = { id: 1, name: 'ada', email: 'ada@example.com' }
const bob = { id: 2, name: 'bob', email: null }
const cy = { id: 3, name: 'cy', email: 'cy@example.com' }

describe('nested Preload.joined', () => {
  it('comments and their authors from one joined path, in one statement', async () => {
    const q = pipe(
      posts,
      Query.join(['comments', 'author']),
      Query.where((_, $) => Pred.neq($.joined['comments.author'].name, 'ada')),
      Query.orderBy((p, $) => [p.id, ['desc', $.joined.comments.id]]),
      Query.preload({ comments: Preload.joined({ author: Preload.joined() }) }),
    )
    const rows = await agree(
      q,
      `select ${post}, ${cols('t1', 0, commentCols)}, ${cols('t2', 1, userCols)} from "posts" as "t0" ` +
        'inner join "comments" as "t1" on "t1"."post_id" = "t0"."id" inner join "users" as "t2" on "t2"."id" = "t1"."author_id" ' +
        'where "t2"."name" <> $1 order by "t0"."id" asc, "t1"."id" desc',
      ['ada'],
    )
    // One statement: the nested level is read from the same rows, not loaded after them.
    expect(right(Query.statements(q), 'statements').statements.map(s => s._tag)).toEqual(['Root'])
    expect(rows.map(p => [p.id, p.comments.map(c => [c.id, c.author])])).toEqual([
      [
        1,
        [
          [3, O.some(bob)],
          [2, O.some(cy)],
          [1, O.some(bob)],
        ],
      ],
      [3, [[5, O.some(cy)]]],
    ])
  })

  it('three levels, left joins, a plain preload under the joined rows', async () => {
    // users -> posts -> comments (left): parents once, each level once per key in the join's order
    const q = pipe(
      Query.from(Blog, 'user'),
      Query.join(['posts', 'comments'], 'left'),
      Query.orderBy((u, $) => [u.id, $.joined.posts.id, ['desc', $.joined['posts.comments'].id]]),
      Query.preload({
        posts: Preload.joined('posts', { comments: Preload.joined('posts.comments', { author: true }) }),
      }),
    )
    const rows = await agree(
      q,
      'select "t0"."id", "t0"."name", "t0"."email", ' +
        `${cols('t1', 0, ['id', 'author_id', 'title', 'body', 'published', 'inserted_at'])}, ${cols('t2', 1, commentCols)} ` +
        'from "users" as "t0" left join "posts" as "t1" on "t1"."author_id" = "t0"."id" ' +
        'left join "comments" as "t2" on "t2"."post_id" = "t1"."id" order by "t0"."id" asc, "t1"."id" asc, "t2"."id" desc',
      [],
    )
    expect(
      rows.map(u => [
        u.name,
        u.posts.map(p => [
          p.id,
          p.comments.map(c => [c.id, O.map((a: { readonly name: string }) => a.name)(c.author)]),
        ]),
      ]),
    ).toEqual([
      [
        'ada',
        [
          [
            1,
            [
              [3, O.some('bob')],
              [2, O.some('cy')],
              [1, O.some('bob')],
            ],
          ],
          [2, [[4, O.some('ada')]]],
        ],
      ],
      ['bob', [[3, [[5, O.some('cy')]]]]],
      ['cy', []],
    ])
    // The plain preload under the joined rows is the one statement after the root.
    expect(
      right(Query.statements(q), 'statements').statements.map(s => (s._tag === 'Level' ? s.level : s._tag)),
    ).toEqual(['Root', 'posts.comments.author'])
    expect(rows[0]?.posts[0]?.comments[0]?.author).toEqual(O.some(bob))
    expect(rows[0]?.posts[1]?.comments[0]?.author).toEqual(O.some(ada))
  })

  it('refuses a binding that does not hang from its parent join-preload, or of another path', () => {
    const refused = (q: Query.AnyQuery, code: string, message: RegExp) => {
      const r = Query.toSql(q)
      expect(E.isLeft(r) && r.left).toMatchObject({ code, message: expect.stringMatching(message) })
    }
    refused(
      pipe(
        posts,
        Query.join('comments', 'inner', { as: 'c' }),
        Query.join(['comments', 'author']),
        // @ts-expect-error 'comments.author' hangs from binding 'comments', not 'c' (a compile error too)
        Query.preload({ comments: Preload.joined('c', { author: Preload.joined() }) }),
      ),
      'InvalidArgument',
      /cannot join-preload 'comments.author' of schema 'comment': binding 'comments.author' is not joined from binding 'c'/,
    )
    refused(
      pipe(
        posts,
        Query.join(['comments', 'author']),
        // @ts-expect-error binding 'comments' joins comments, not users (checked at any depth)
        Query.preload({ comments: Preload.joined({ author: Preload.joined('comments') }) }),
      ),
      'InvalidArgument',
      /binding 'comments' is the join of 'comments', not of association 'comments.author'/,
    )
    refused(
      pipe(
        posts,
        Query.join('comments'),
        // @ts-expect-error no binding 'comments.author'
        Query.preload({ comments: Preload.joined({ author: Preload.joined() }) }),
      ),
      'InvalidArgument',
      /the query joins no binding 'comments.author' \(Query.join\(\['comments', 'author'\]\) first\)/,
    )
  })
})
