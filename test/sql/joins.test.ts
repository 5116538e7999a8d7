// Golden tests of association joins (inner / left, the association's filters in the ON, filtering on
// the joined binding) and of exists / notExists / every over associations.
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pred, Query } from '../../src/index.js'
import { connect, run, type TestDb } from '../support/db.js'
import { ddl, seed, X } from './fixture.js'
import { golden, ids, POST, USER } from './helpers.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [...ddl, ...seed])
})
afterAll(async () => db.close())

const posts = Query.from(X, 'post')
const P = `select ${POST} from "posts" as "t0"`

describe('join', () => {
  it('inner has-many join repeats the owner per match', async () => {
    const q = pipe(posts, Query.join('comments'))
    const r = await golden(db.sql, q, `${P} inner join "comments" as "t1" on "t1"."post_id" = "t0"."id"`, [])
    expect(ids(r)).toEqual([1, 1, 1, 2, 3])
  })

  it('left join keeps owners with no match', async () => {
    const q = pipe(posts, Query.join('permalink', 'left'))
    const r = await golden(db.sql, q, `${P} left join "permalinks" as "t1" on "t1"."post_id" = "t0"."id"`, [])
    expect(ids(r)).toEqual([1, 2, 3, 4])
  })

  it("the association's where goes in the ON, and $.joined filters on the joined binding", async () => {
    const q = pipe(
      posts,
      Query.join('publicComments', 'left'),
      Query.where((_, $) => Pred.isNull($.joined.publicComments.id)),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} left join "comments" as "t1" on "t1"."post_id" = "t0"."id" and "t1"."public" = $1 where "t1"."id" is null`,
      [true],
    )
    // posts without a public comment (a WHERE instead of the ON would drop post 3's row entirely
    // and then keep it: post 3 has only a non-public comment)
    expect(ids(r)).toEqual([3, 4])
  })

  it('a joined column compared with a value and with a root column', async () => {
    const q = pipe(
      posts,
      Query.join('comments'),
      Query.where((p, $) =>
        Pred.and(
          Pred.eq($.joined.comments.public, false),
          Pred.neq($.joined.comments.author_id, p.author_id),
        ),
      ),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} inner join "comments" as "t1" on "t1"."post_id" = "t0"."id" where "t1"."public" = $1 and "t1"."author_id" <> "t0"."author_id"`,
      [false],
    )
    expect(ids(r)).toEqual([1, 3])
  })

  it('belongs-to join', async () => {
    const q = pipe(
      posts,
      Query.join('author'),
      Query.where((_, $) => Pred.eq($.joined.author.name, 'ada')),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} inner join "users" as "t1" on "t1"."id" = "t0"."author_id" where "t1"."name" = $1`,
      ['ada'],
    )
    expect(ids(r)).toEqual([1, 2])
  })

  it('many-to-many join: two joins, joinWhere and where in their ONs', async () => {
    const q = pipe(
      Query.from(X, 'user'),
      Query.join('favorites', 'left'),
      Query.where((_, $) => Pred.isNotNull($.joined.favorites.id)),
    )
    const r = await golden(
      db.sql,
      q,
      `select ${USER} from "users" as "t0" left join "favorites" as "t1" on "t1"."fan" = "t0"."id" and "t1"."starred" = $1 left join "posts" as "t2" on "t2"."id" = "t1"."liked" and "t2"."published" = $2 where not ("t2"."id" is null)`,
      [true, true],
    )
    // ada: posts 1 and 4; bob: post 1; cy's favorite (post 3) is starred and published
    expect(ids(r)).toEqual([1, 1, 2, 3])
  })

  it('through join walks forward, no DISTINCT', async () => {
    const q = pipe(
      posts,
      Query.join('commentsAuthors'),
      Query.where((_, $) => Pred.eq($.joined.commentsAuthors.name, 'bob')),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} inner join "comments" as "t1" on "t1"."post_id" = "t0"."id" inner join "users" as "t2" on "t2"."id" = "t1"."author_id" where "t2"."name" = $1`,
      ['bob'],
    )
    // bob wrote comments 1 and 3 on post 1
    expect(ids(r)).toEqual([1, 1])
  })

  it('left join of a through with filtered hops: every hop is a left join with its filters in its ON', async () => {
    const q = pipe(
      Query.from(X, 'user'),
      Query.join('favoritesAuthors', 'left'),
      Query.where((_, $) => Pred.eq($.joined.favoritesAuthors.name, 'ada')),
    )
    const r = await golden(
      db.sql,
      q,
      `select ${USER} from "users" as "t0" left join "favorites" as "t1" on "t1"."fan" = "t0"."id" and "t1"."starred" = $1 left join "posts" as "t2" on "t2"."id" = "t1"."liked" and "t2"."published" = $2 left join "users" as "t3" on "t3"."id" = "t2"."author_id" where "t3"."name" = $3`,
      [true, true, 'ada'],
    )
    // ada and bob starred ada's published post 1
    expect(ids(r)).toEqual([1, 2])
  })

  it('two joins get fresh aliases', async () => {
    const q = pipe(posts, Query.join('tags'), Query.join('author', 'left'))
    const r = await golden(
      db.sql,
      q,
      `${P} inner join "posts_tags" as "t1" on "t1"."post_id" = "t0"."id" inner join "tags" as "t2" on "t2"."id" = "t1"."tag_id" left join "users" as "t3" on "t3"."id" = "t0"."author_id"`,
      [],
    )
    expect(ids(r)).toEqual([1, 1, 2, 3])
  })

  it('a join on an assoc query continues after its aliases', async () => {
    const q = pipe(
      Query.assoc(X, 'tag', 'posts')([{ id: 3, name: 'sql' }]),
      Query.join('author'),
      Query.where((_, $) => Pred.eq($.joined.author.name, 'bob')),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} inner join "posts_tags" as "t1" on "t1"."post_id" = "t0"."id" inner join "users" as "t2" on "t2"."id" = "t0"."author_id" where "t1"."tag_id" = $1 and "t2"."name" = $2`,
      [3, 'bob'],
    )
    expect(ids(r)).toEqual([3])
  })
})

describe('exists / notExists / every', () => {
  it('exists', async () => {
    const q = pipe(
      posts,
      Query.where((_, $) => $.exists('comments')),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} where exists (select 1 from "comments" as "e1_0" where "e1_0"."post_id" = "t0"."id")`,
      [],
    )
    expect(ids(r)).toEqual([1, 2, 3])
  })

  it('exists with a condition, on an association with a where', async () => {
    const q = pipe(
      posts,
      Query.where((_, $) => $.exists('publicComments', c => Pred.gt(c.author_id, 2))),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} where exists (select 1 from "comments" as "e1_0" where "e1_0"."post_id" = "t0"."id" and "e1_0"."public" = $1 and "e1_0"."author_id" > $2)`,
      [true, 2],
    )
    expect(ids(r)).toEqual([1])
  })

  it('exists over a through and a many-to-many', async () => {
    const q = pipe(
      posts,
      Query.where((_, $) =>
        Pred.or(
          $.exists('commentsAuthors', u => Pred.eq(u.name, 'cy')),
          $.exists('tags', t => Pred.eq(t.name, 'typescript')),
        ),
      ),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} where (exists (select 1 from "users" as "e1_0" inner join "comments" as "e1_1" on "e1_1"."author_id" = "e1_0"."id" where "e1_1"."post_id" = "t0"."id" and "e1_0"."name" = $1) or exists (select 1 from "tags" as "e1_0" inner join "posts_tags" as "e1_1" on "e1_1"."tag_id" = "e1_0"."id" where "e1_1"."post_id" = "t0"."id" and "e1_0"."name" = $2))`,
      ['cy', 'typescript'],
    )
    expect(ids(r)).toEqual([1, 2, 3])
  })

  it('nested exists gets its own aliases', async () => {
    const q = pipe(
      posts,
      Query.where((_, $) =>
        $.exists('comments', (_c, $c) => $c.exists('author', a => Pred.eq(a.name, 'ada'))),
      ),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} where exists (select 1 from "comments" as "e1_0" where "e1_0"."post_id" = "t0"."id" and exists (select 1 from "users" as "e2_0" where "e2_0"."id" = "e1_0"."author_id" and "e2_0"."name" = $1))`,
      ['ada'],
    )
    expect(ids(r)).toEqual([2])
  })

  it('notExists', async () => {
    const q = pipe(
      posts,
      Query.where((_, $) => $.notExists('comments')),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} where not (exists (select 1 from "comments" as "e1_0" where "e1_0"."post_id" = "t0"."id"))`,
      [],
    )
    expect(ids(r)).toEqual([4])
  })

  it('every: vacuously true with no associated row', async () => {
    const q = pipe(
      posts,
      Query.where((_, $) => $.every('comments', c => Pred.eq(c.public, true))),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} where not (exists (select 1 from "comments" as "e1_0" where "e1_0"."post_id" = "t0"."id" and ("e1_0"."public" = $1) is not true))`,
      [true],
    )
    // post 2: all public; post 4: no comments; posts 1 and 3 have a non-public comment
    expect(ids(r)).toEqual([2, 4])
  })

  it('every: a NULL result counts as not satisfied', async () => {
    const q = pipe(
      posts,
      Query.where((_, $) => $.every('comments', c => Pred.gt(c.parent_id, 0))),
    )
    const r = await golden(
      db.sql,
      q,
      `${P} where not (exists (select 1 from "comments" as "e1_0" where "e1_0"."post_id" = "t0"."id" and ("e1_0"."parent_id" > $1) is not true))`,
      [0],
    )
    // every post with comments has a top-level one (parent_id NULL): only the comment-less post 4 passes.
    // A naive NOT EXISTS (... WHERE NOT cond) lets every post through.
    expect(ids(r)).toEqual([4])
    const naive = await db.sql.unsafe(
      'select p.id from posts p where not exists (select 1 from comments c where c.post_id = p.id and not (c.parent_id > 0)) order by p.id',
    )
    expect(naive.map(x => x['id'])).toEqual([1, 2, 3, 4])
  })
})
