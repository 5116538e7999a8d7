// Golden tests of `Query.assoc` for every association kind and option: the exact SQL and parameters,
// then the rows the same query returns on PostgreSQL.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pg, Pred, Query, type Schema } from '../../src/index.js'
import { connect, run, type TestDb } from '../support/db.js'
import { ddl, seed, X } from './fixture.js'
import { COMMENT, deadClient, golden, ids, PERMALINK, POST, PROFILE, TAG, USER } from './helpers.js'

type R<S extends string> = Schema.Row<typeof X, S>

let db: TestDb
let dead: postgres.Sql
const rows: {
  user: ReadonlyArray<R<'user'>>
  post: ReadonlyArray<R<'post'>>
  comment: ReadonlyArray<R<'comment'>>
  tag: ReadonlyArray<R<'tag'>>
  profile: ReadonlyArray<R<'profile'>>
} = { user: [], post: [], comment: [], tag: [], profile: [] }

const load = async <S extends 'user' | 'post' | 'comment' | 'tag' | 'profile'>(s: S) => {
  const r = await Pg.all(pipe(Query.from(X, s), Query.orderBy(['id'])))(db.sql)()
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}
const pick = <A extends { readonly id: number }>(xs: ReadonlyArray<A>, ...wanted: Array<number>) =>
  wanted.map(id => {
    const x = xs.find(r => r.id === id)
    if (x === undefined) throw new Error(`no row ${id}`)
    return x
  })
const one = <A extends { readonly id: number }>(xs: ReadonlyArray<A>, id: number): A => pick(xs, id)[0] as A

beforeAll(async () => {
  db = await connect()
  await run(db.sql, [...ddl, ...seed])
  dead = await deadClient()
  rows.user = await load('user')
  rows.post = await load('post')
  rows.comment = await load('comment')
  rows.tag = await load('tag')
  rows.profile = await load('profile')
})
afterAll(async () => {
  await dead.end({ timeout: 1 })
  await db.close()
})

describe('hasMany', () => {
  it('default foreign key <owner>_<pk>', async () => {
    const q = Query.assoc(X, 'post', 'comments')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${COMMENT} from "comments" as "t0" where "t0"."post_id" = $1`,
      [1],
    )
    expect(ids(r)).toEqual([1, 2, 3])
  })

  it('custom foreignKey', async () => {
    const q = Query.assoc(X, 'user', 'posts')(one(rows.user, 1))
    const r = await golden(db.sql, q, `select ${POST} from "posts" as "t0" where "t0"."author_id" = $1`, [1])
    expect(ids(r)).toEqual([1, 2])
  })

  it('references: a non-key owner column, and the default foreign key takes its name', async () => {
    const q = Query.assoc(X, 'user', 'profiles')(one(rows.user, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${PROFILE} from "profiles" as "t0" where "t0"."user_name" = $1`,
      ['ada'],
    )
    expect(ids(r)).toEqual([1, 2])
  })

  it('where null: IS NULL, no parameter', async () => {
    const q = Query.assoc(X, 'post', 'topLevelComments')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${COMMENT} from "comments" as "t0" where "t0"."post_id" = $1 and "t0"."parent_id" is null`,
      [1],
    )
    expect(ids(r)).toEqual([1])
  })

  it('where Schema.notNull', async () => {
    const q = Query.assoc(X, 'post', 'replies')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${COMMENT} from "comments" as "t0" where "t0"."post_id" = $1 and not ("t0"."parent_id" is null)`,
      [1],
    )
    expect(ids(r)).toEqual([2, 3])
  })

  it('where Schema.isIn: one array parameter', async () => {
    const q = Query.assoc(X, 'post', 'someComments')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${COMMENT} from "comments" as "t0" where "t0"."post_id" = $1 and "t0"."id" = any($2)`,
      [1, [1, 3, 5]],
    )
    expect(ids(r)).toEqual([1, 3])
  })

  it('where Schema.fragment: the column in place of self, the value a parameter', async () => {
    const q = Query.assoc(X, 'post', 'longComments')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${COMMENT} from "comments" as "t0" where "t0"."post_id" = $1 and (length("t0"."body") > $2)`,
      [1, 5],
    )
    expect(ids(r)).toEqual([2, 3])
  })

  it('where plain value: = parameter', async () => {
    const q = Query.assoc(X, 'post', 'publicComments')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${COMMENT} from "comments" as "t0" where "t0"."post_id" = $1 and "t0"."public" = $2`,
      [1, true],
    )
    expect(ids(r)).toEqual([1, 2])
  })

  it('where with several keys: ANDed in definition order', async () => {
    const q = Query.assoc(X, 'post', 'publicReplies')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${COMMENT} from "comments" as "t0" where "t0"."post_id" = $1 and "t0"."public" = $2 and not ("t0"."parent_id" is null)`,
      [1, true],
    )
    expect(ids(r)).toEqual([2])
  })

  it('custom source: rows come from another table', async () => {
    const q = Query.assoc(X, 'post', 'archivedComments')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${COMMENT} from "archived_comments" as "t0" where "t0"."post_id" = $1`,
      [1],
    )
    expect(ids(r)).toEqual([100])
    expect(r[0]?.['body']).toBe('old news')
  })

  it('self-reference: children', async () => {
    const q = Query.assoc(X, 'comment', 'children')(one(rows.comment, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${COMMENT} from "comments" as "t0" where "t0"."parent_id" = $1`,
      [1],
    )
    expect(ids(r)).toEqual([2, 3])
  })
})

describe('hasOne and belongsTo', () => {
  it('hasOne', async () => {
    const q = Query.assoc(X, 'post', 'permalink')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${PERMALINK} from "permalinks" as "t0" where "t0"."post_id" = $1`,
      [1],
    )
    expect(ids(r)).toEqual([1])
  })

  it('belongsTo default foreign key <name>_id', async () => {
    const q = Query.assoc(X, 'comment', 'post')(one(rows.comment, 2))
    const r = await golden(db.sql, q, `select ${POST} from "posts" as "t0" where "t0"."id" = $1`, [1])
    expect(ids(r)).toEqual([1])
  })

  it('belongsTo custom foreignKey', async () => {
    const q = Query.assoc(X, 'comment', 'author')(one(rows.comment, 2))
    const r = await golden(db.sql, q, `select ${USER} from "users" as "t0" where "t0"."id" = $1`, [3])
    expect(r.map(u => u['name'])).toEqual(['cy'])
  })

  it('belongsTo references: a non-key target column', async () => {
    const q = Query.assoc(X, 'profile', 'owner')(one(rows.profile, 3))
    const r = await golden(db.sql, q, `select ${USER} from "users" as "t0" where "t0"."name" = $1`, ['bob'])
    expect(ids(r)).toEqual([2])
  })

  it('self-reference: parent', async () => {
    const q = Query.assoc(X, 'comment', 'parent')(one(rows.comment, 3))
    const r = await golden(db.sql, q, `select ${COMMENT} from "comments" as "t0" where "t0"."id" = $1`, [1])
    expect(ids(r)).toEqual([1])
  })
})

describe('manyToMany', () => {
  it('joinThrough a table name, default join keys', async () => {
    const q = Query.assoc(X, 'post', 'tags')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${TAG} from "tags" as "t0" inner join "posts_tags" as "t1" on "t1"."tag_id" = "t0"."id" where "t1"."post_id" = $1`,
      [1],
    )
    expect(ids(r)).toEqual([1, 3])
  })

  it('joinThrough a schema, joinWhere (checked against the schema) in the join ON', async () => {
    const q = Query.assoc(X, 'post', 'taggings')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${TAG} from "tags" as "t0" inner join "posts_tags" as "t1" on "t1"."tag_id" = "t0"."id" and "t1"."tag_id" = any($1) where "t1"."post_id" = $2`,
      [[1, 2], 1],
    )
    expect(ids(r)).toEqual([1])
  })

  it('where on the target goes in WHERE', async () => {
    const q = Query.assoc(X, 'post', 'sqlTags')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${TAG} from "tags" as "t0" inner join "posts_tags" as "t1" on "t1"."tag_id" = "t0"."id" where "t1"."post_id" = $1 and "t0"."name" = $2`,
      [1, 'sql'],
    )
    expect(ids(r)).toEqual([3])
  })

  it('joinKeys, joinWhere and where together', async () => {
    const q = Query.assoc(X, 'user', 'favorites')(one(rows.user, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${POST} from "posts" as "t0" inner join "favorites" as "t1" on "t1"."liked" = "t0"."id" and "t1"."starred" = $1 where "t1"."fan" = $2 and "t0"."published" = $3`,
      [true, 1, true],
    )
    // post 2 is unpublished, post 3 is not starred
    expect(ids(r)).toEqual([1, 4])
  })

  it('joinKeys the other way round', async () => {
    const q = Query.assoc(X, 'post', 'fans')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select ${USER} from "users" as "t0" inner join "favorites" as "t1" on "t1"."fan" = "t0"."id" where "t1"."liked" = $1`,
      [1],
    )
    expect(ids(r)).toEqual([1, 2])
  })

  it('several owners sharing a target: the target repeats (no DISTINCT, as in Ecto)', async () => {
    const q = Query.assoc(X, 'tag', 'posts')(pick(rows.tag, 1, 3))
    const r = await golden(
      db.sql,
      q,
      `select ${POST} from "posts" as "t0" inner join "posts_tags" as "t1" on "t1"."post_id" = "t0"."id" where "t1"."tag_id" = any($1)`,
      [[1, 3]],
    )
    expect(ids(r)).toEqual([1, 1, 3])
  })
})

describe('through', () => {
  it('depth 2 (has-many then belongs-to) is DISTINCT', async () => {
    const q = Query.assoc(X, 'post', 'commentsAuthors')(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select distinct ${USER} from "users" as "t0" inner join "comments" as "t1" on "t1"."author_id" = "t0"."id" where "t1"."post_id" = $1`,
      [1],
    )
    // comments 1 and 3 are both by bob: without DISTINCT bob would come twice
    expect(ids(r)).toEqual([2, 3])
  })

  it('the same walk without DISTINCT would repeat a row (control)', async () => {
    const c = await db.sql.unsafe(
      'select u.id from users u inner join comments c on c.author_id = u.id where c.post_id = 1',
    )
    expect(c.length).toBe(3)
  })

  it('depth 3', async () => {
    const q = Query.assoc(X, 'user', 'postsCommentsAuthors')(one(rows.user, 1))
    const r = await golden(
      db.sql,
      q,
      `select distinct ${USER} from "users" as "t0" inner join "comments" as "t1" on "t1"."author_id" = "t0"."id" inner join "posts" as "t2" on "t2"."id" = "t1"."post_id" where "t2"."author_id" = $1`,
      [1],
    )
    expect(ids(r)).toEqual([1, 2, 3])
  })

  it('a through whose hop is a through, ending in a many-to-many', async () => {
    const q = Query.assoc(X, 'user', 'commentedPostsTags')(one(rows.user, 1))
    const r = await golden(
      db.sql,
      q,
      `select distinct ${TAG} from "tags" as "t0" inner join "posts_tags" as "t1" on "t1"."tag_id" = "t0"."id" inner join "posts" as "t2" on "t2"."id" = "t1"."post_id" inner join "comments" as "t3" on "t3"."post_id" = "t2"."id" where "t3"."author_id" = $1`,
      [1],
    )
    // ada commented on post 2 (and on no post with comment 6), post 2 is tagged typescript
    expect(ids(r)).toEqual([2])
  })

  it('across a many-to-many', async () => {
    const q = Query.assoc(X, 'tag', 'postsAuthors')(one(rows.tag, 3))
    const r = await golden(
      db.sql,
      q,
      `select distinct ${USER} from "users" as "t0" inner join "posts" as "t1" on "t1"."author_id" = "t0"."id" inner join "posts_tags" as "t2" on "t2"."post_id" = "t1"."id" where "t2"."tag_id" = $1`,
      [3],
    )
    expect(ids(r)).toEqual([1, 2])
  })

  it('has-one-through keeps the intermediate table (no pass-through elimination)', async () => {
    const q = Query.assoc(X, 'comment', 'postPermalink')(one(rows.comment, 2))
    const r = await golden(
      db.sql,
      q,
      `select distinct ${PERMALINK} from "permalinks" as "t0" inner join "posts" as "t1" on "t1"."id" = "t0"."post_id" where "t1"."id" = $1`,
      [1],
    )
    expect(ids(r)).toEqual([1])
  })

  it("an intermediate hop's where goes in its join's ON", async () => {
    const q = Query.assoc(X, 'post', 'publicCommentsAuthors')(one(rows.post, 3))
    const r = await golden(
      db.sql,
      q,
      `select distinct ${USER} from "users" as "t0" inner join "comments" as "t1" on "t1"."author_id" = "t0"."id" and "t1"."public" = $1 where "t1"."post_id" = $2`,
      [true, 3],
    )
    // post 3's only comment is not public; its commentsAuthors (no filter) is cy
    expect(r).toEqual([])
    const all = await Pg.all(Query.assoc(X, 'post', 'commentsAuthors')(one(rows.post, 3)))(db.sql)()
    expect(E.isRight(all) && ids(all.right)).toEqual([3])
  })

  it('a many-to-many hop in the middle: its joinWhere and where in the ONs', async () => {
    const q = Query.assoc(X, 'user', 'favoritesAuthors')(one(rows.user, 1))
    const r = await golden(
      db.sql,
      q,
      `select distinct ${USER} from "users" as "t0" inner join "posts" as "t1" on "t1"."author_id" = "t0"."id" and "t1"."published" = $1 inner join "favorites" as "t2" on "t2"."liked" = "t1"."id" and "t2"."starred" = $2 where "t2"."fan" = $3`,
      [true, true, 1],
    )
    // starred and published: posts 1 (ada) and 4 (no author); post 3 (bob) is not starred
    expect(ids(r)).toEqual([1])
  })

  it("the target hop's where stays in WHERE", async () => {
    const q = Query.assoc(X, 'comment', 'publicSiblings')(one(rows.comment, 3))
    const r = await golden(
      db.sql,
      q,
      `select distinct ${COMMENT} from "comments" as "t0" inner join "posts" as "t1" on "t1"."id" = "t0"."post_id" where "t1"."id" = $1 and "t0"."public" = $2`,
      [1, true],
    )
    expect(ids(r)).toEqual([1, 2])
  })

  it('a comment is its own sibling (belongs-to then has-many)', async () => {
    const q = Query.assoc(X, 'comment', 'siblings')(one(rows.comment, 2))
    const r = await golden(
      db.sql,
      q,
      `select distinct ${COMMENT} from "comments" as "t0" inner join "posts" as "t1" on "t1"."id" = "t0"."post_id" where "t1"."id" = $1`,
      [1],
    )
    expect(ids(r)).toEqual([1, 2, 3])
  })
})

describe('assoc by a path (dynamic through)', () => {
  it('equals the declared through', async () => {
    const q = Query.assoc(X, 'post', ['comments', 'author'])(one(rows.post, 1))
    expect(Query.toSql(q)).toEqual(Query.toSql(Query.assoc(X, 'post', 'commentsAuthors')(one(rows.post, 1))))
    const r = await Pg.all(q)(db.sql)()
    expect(E.isRight(r) && ids(r.right)).toEqual([2, 3])
  })

  it('a self-referencing hop in the middle', async () => {
    const q = Query.assoc(X, 'post', ['comments', 'children', 'author'])(one(rows.post, 1))
    const r = await golden(
      db.sql,
      q,
      `select distinct ${USER} from "users" as "t0" inner join "comments" as "t1" on "t1"."author_id" = "t0"."id" inner join "comments" as "t2" on "t2"."id" = "t1"."parent_id" where "t2"."post_id" = $1`,
      [1],
    )
    // replies 2 (cy) and 3 (bob) to comment 1
    expect(ids(r)).toEqual([2, 3])
  })

  it('a path through a through and a many-to-many, back to posts', async () => {
    const q = Query.assoc(X, 'user', ['commentedPosts', 'tags', 'posts'])(one(rows.user, 1))
    const r = await golden(
      db.sql,
      q,
      `select distinct ${POST} from "posts" as "t0" inner join "posts_tags" as "t1" on "t1"."post_id" = "t0"."id" inner join "tags" as "t2" on "t2"."id" = "t1"."tag_id" inner join "posts_tags" as "t3" on "t3"."tag_id" = "t2"."id" inner join "posts" as "t4" on "t4"."id" = "t3"."post_id" inner join "comments" as "t5" on "t5"."post_id" = "t4"."id" where "t5"."author_id" = $1`,
      [1],
    )
    expect(ids(r)).toEqual([2])
  })
})

describe('owner keys', () => {
  it('several owners: = any($1) with ONE array parameter; null keys dropped; duplicates deduped', async () => {
    // posts 1 and 2 share author 1, post 4 has no author
    const q = Query.assoc(X, 'post', 'author')(pick(rows.post, 1, 2, 3, 4))
    const r = await golden(db.sql, q, `select ${USER} from "users" as "t0" where "t0"."id" = any($1)`, [
      [1, 2],
    ])
    expect(ids(r)).toEqual([1, 2])
  })

  it('a single owner row (not a list) is accepted', async () => {
    const q = Query.assoc(X, 'user', 'posts')(one(rows.user, 2))
    const r = await golden(db.sql, q, `select ${POST} from "posts" as "t0" where "t0"."author_id" = $1`, [2])
    expect(ids(r)).toEqual([3])
  })

  it('no key: no rows and no round trip', async () => {
    const q = Query.assoc(X, 'post', 'author')(one(rows.post, 4))
    expect(Query.toSql(q)).toEqual(
      E.right({ text: `select ${USER} from "users" as "t0" where "t0"."id" = any($1)`, params: [[]] }),
    )
    // `dead` points at a closed port: any statement sent through it fails
    expect(await Pg.all(q)(dead)()).toEqual(E.right([]))
    expect(await Pg.all(Query.assoc(X, 'post', 'commentsAuthors')([]))(dead)()).toEqual(E.right([]))
    const control = await Pg.all(Query.assoc(X, 'post', 'author')(one(rows.post, 1)))(dead)()
    expect(E.isLeft(control) && control.left._tag === 'DbError' && control.left.kind).toBe(
      'ConnectionRefused',
    )
  })

  it('the owner filter cannot be widened by a later Pred.or', async () => {
    const q = pipe(
      Query.assoc(X, 'post', 'comments')(one(rows.post, 2)),
      Query.where(c => Pred.or(Pred.eq(c.public, true), Pred.eq(c.id, 1))),
    )
    const r = await golden(
      db.sql,
      q,
      `select ${COMMENT} from "comments" as "t0" where "t0"."post_id" = $1 and ("t0"."public" = $2 or "t0"."id" = $3)`,
      [2, true, 1],
    )
    // comments 1, 2, 6 are public (or id 1) but belong to other posts
    expect(ids(r)).toEqual([4])
    expect(r.every(c => c['post_id'] === 2)).toBe(true)
  })

  it('nor can a Pred.or widen a through or an association where', async () => {
    const q = pipe(
      Query.assoc(X, 'post', 'publicComments')(one(rows.post, 1)),
      Query.where(c => Pred.or(Pred.eq(c.public, false), Pred.isNull(c.post_id))),
    )
    const r = await golden(
      db.sql,
      q,
      `select ${COMMENT} from "comments" as "t0" where "t0"."post_id" = $1 and "t0"."public" = $2 and ("t0"."public" = $3 or "t0"."post_id" is null)`,
      [1, true, false],
    )
    expect(r).toEqual([])
    const t = pipe(
      Query.assoc(X, 'post', 'commentsAuthors')(one(rows.post, 3)),
      Query.where(u => Pred.or(Pred.eq(u.id, 1), Pred.eq(u.id, 3))),
    )
    const tr = await golden(
      db.sql,
      t,
      `select distinct ${USER} from "users" as "t0" inner join "comments" as "t1" on "t1"."author_id" = "t0"."id" where "t1"."post_id" = $1 and ("t0"."id" = $2 or "t0"."id" = $3)`,
      [3, 1, 3],
    )
    expect(ids(tr)).toEqual([3])
  })
})
