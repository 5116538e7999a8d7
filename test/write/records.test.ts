import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { both, dump, fresh, right, W } from './model.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())
beforeEach(async () => {
  await run(db.sql, fresh())
})

const count = async (table: string, where = 'true') =>
  (await db.sql.unsafe(`select count(*)::int as n from "${table}" where ${where}`))[0]?.['n']

describe('records', () => {
  it('insert: encoded, stored row decoded, generated id', async () => {
    const plan = right(Write.insert(W, 'post', { title: 'new' }))
    expect(Write.toSql(plan)).toEqual([
      {
        text: 'insert into "posts" ("title") values ($1) returning "id", "author_id", "title"',
        params: ['new'],
      },
    ])
    const r = await both(db.sql, plan)
    expect(r).toEqual(E.right({ id: 4, author_id: null, title: 'new' }))
  })

  it('insertAll: rows giving the same columns share a statement; all rows returned', async () => {
    const plan = right(Write.insertAll(W, 'tag', [{ name: 'a' }, { name: 'b' }, { id: 50, name: 'c' }]))
    expect(Write.toSql(plan).map(s => s.text)).toEqual([
      'insert into "tags" ("name") values ($1), ($2) returning "id", "name"',
      'insert into "tags" ("id", "name") values ($1, $2) returning "id", "name"',
    ])
    const r = right(await both(db.sql, plan))
    expect(r.map(t => t.name)).toEqual(['a', 'b', 'c'])
    expect(r.map(t => t.id)).toEqual([4, 5, 50])
  })

  it('bad input is an error value before any SQL: codec rejects, missing column, unknown column', () => {
    const bad = Write.insert(W, 'post', { title: 42 as unknown as string })
    expect(E.isLeft(bad) && bad.left).toMatchObject({ code: 'InvalidValue', schema: 'post', column: 'title' })
    // @ts-expect-error title is required
    const missing = Write.insert(W, 'post', { author_id: 1 })
    expect(E.isLeft(missing) && missing.left).toMatchObject({ code: 'MissingColumn', column: 'title' })
    const unknown = Write.insert(W, 'post', { title: 'x', nope: 1 } as never)
    expect(E.isLeft(unknown) && unknown.left).toMatchObject({ code: 'UnknownColumn', column: 'nope' })
  })

  it('update by primary key returns the stored row; a missing row is a StaleEntry', async () => {
    const plan = right(Write.update(W, 'post', { id: 2, author_id: 1, title: 'again' }, { title: 'edited' }))
    expect(Write.toSql(plan)).toEqual([
      {
        text: 'update "posts" as "t0" set "title" = $1 where "t0"."id" = $2 returning "id", "author_id", "title"',
        params: ['edited', 2],
      },
    ])
    expect(await both(db.sql, plan)).toEqual(E.right({ id: 2, author_id: 1, title: 'edited' }))
    const stale = await both(
      db.sql,
      right(Write.update(W, 'post', { id: 99, author_id: null, title: '' }, { title: 'x' })),
    )
    expect(E.isLeft(stale) && stale.left).toMatchObject({ _tag: 'WriteError', code: 'StaleEntry' })
  })
})

describe('delete with onDelete (Ecto: one level, definition order, before the owner)', () => {
  it('post: comments delete_all, permalink delete_all, tags (join rows only) delete_all, then the post', async () => {
    // Post 2 has one comment, no grandchildren, so one level suffices on PostgreSQL.
    const plan = right(Write.delete(W, 'post', { id: 2, author_id: 1, title: 'again' }))
    expect(Write.toSql(plan)).toEqual([
      { text: 'delete from "comments" as "t1" where "t1"."post_id" = $1 returning "post_id"', params: [2] },
      { text: 'delete from "permalinks" as "t1" where "t1"."post_id" = $1 returning "post_id"', params: [2] },
      { text: 'delete from "posts_tags" as "t1" where "t1"."post_id" = $1 returning "post_id"', params: [2] },
      {
        text: 'delete from "posts" as "t0" where "t0"."id" = $1 returning "id", "author_id", "title"',
        params: [2],
      },
    ])
    const r = await both(db.sql, plan)
    expect(r).toEqual(E.right({ id: 2, author_id: 1, title: 'again' }))
    expect(await count('tags')).toBe(3)
    expect(await count('posts_tags', 'post_id = 2')).toBe(0)
  })

  it('user: nilify_all sets the posts key to NULL', async () => {
    const plan = right(Write.delete(W, 'user', { id: 1, name: 'ada' }))
    expect(Write.toSql(plan)[0]).toEqual({
      text: 'update "posts" as "t1" set "author_id" = $1 where "t1"."author_id" = $2 returning "author_id"',
      params: [null, 1],
    })
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await count('posts', 'author_id is null')).toBe(2)
  })

  it('one level only: a grandchild blocks the delete on PostgreSQL (as with Ecto), rolled back', async () => {
    // The memory semantics check no foreign keys, so only PostgreSQL refuses here.
    const r = await both(db.sql, right(Write.delete(W, 'post', { id: 1, author_id: 1, title: 'hello' })), {
      pgOnly: true,
    })
    // comment 6 (of post 3) replies to comment 2 (of post 1): deleting comment 2 violates parent_id
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'DbError', kind: 'ForeignKeyViolation' })
    expect(await count('comments', 'post_id = 1')).toBe(3)
  })

  it('cascade: the full plan down the graph, deepest first, cut at the self-reference cycle', async () => {
    const before = await dump(db.sql)
    const plan = right(Write.delete(W, 'post', { id: 1, author_id: 1, title: 'hello' }, { cascade: true }))
    expect(plan.notes).toEqual([
      "cascade stops at comment.children: the association graph cycles there; deeper rows are left to the database's foreign keys",
    ])
    expect(Write.toSql(plan).map(s => s.text)).toEqual([
      'delete from "comments" as "t3" where exists (select 1 from "comments" as "t3p" where "t3p"."id" = "t3"."parent_id" and exists (select 1 from "comments" as "t2p" where "t2p"."id" = "t3p"."parent_id" and "t2p"."post_id" = $1)) returning "parent_id"',
      'delete from "comments" as "t2" where exists (select 1 from "comments" as "t2p" where "t2p"."id" = "t2"."parent_id" and "t2p"."post_id" = $1) returning "parent_id"',
      'delete from "comments" as "t1" where "t1"."post_id" = $1 returning "post_id"',
      'delete from "permalinks" as "t1" where "t1"."post_id" = $1 returning "post_id"',
      'delete from "posts_tags" as "t1" where "t1"."post_id" = $1 returning "post_id"',
      'delete from "posts" as "t0" where "t0"."id" = $1 returning "id", "author_id", "title"',
    ])
    // comments 1-3, their replies 2, 3, 6 and the replies to those, 3 and 7, go; comment 8 replies to
    // comment 7, beyond the cut (the cycle is followed once round), so PostgreSQL refuses.
    const r = await both(db.sql, plan, { pgOnly: true })
    expect(E.isLeft(r) && r.left).toMatchObject({ kind: 'ForeignKeyViolation' })
    expect(await dump(db.sql)).toEqual(before)
    // with comment 8 detached, the cascade plan goes through on both interpreters
    await db.sql.unsafe('update comments set parent_id = null where id = 8')
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await count('comments', 'id in (1, 2, 3, 6, 7)')).toBe(0)
    expect(await count('comments')).toBe(3)
    expect(await count('posts', 'id = 1')).toBe(0)
  })

  it('cascade through a user: posts are nilified, not deleted (nilify does not propagate)', () => {
    const plan = right(Write.delete(W, 'user', { id: 1, name: 'ada' }, { cascade: true }))
    expect(plan.steps.map(s => s.note)).toEqual(['user.posts: nilify_all', 'delete user'])
  })
})

describe('build (build_assoc)', () => {
  const post1 = { id: 1, author_id: 1, title: 'hello' }
  it('object defaults, then attrs, then the owner key overrides attrs', async () => {
    const b = right(Write.build(W, 'post', 'comments')(post1, { post_id: 2, parent_id: null }))
    expect(b).toEqual({
      _tag: 'Built',
      schema: 'comment',
      source: 'comments',
      values: { body: 'empty', parent_id: null, post_id: 1 },
    })
    const stored = right(await both(db.sql, right(Write.insertBuilt(W, b))))
    expect(stored).toMatchObject({ post_id: 1, body: 'empty' })
  })
  it('function defaults get the child and the owner; withArgs gets its arguments', async () => {
    expect(right(Write.build(W, 'post', 'commentsFn')(post1)).values).toEqual({
      body: 're: hello',
      post_id: 1,
    })
    const b = right(Write.build(W, 'post', 'commentsArgs')(post1, { body: 'mine' }))
    expect(b.values).toEqual({ body: 'mine', post_id: 1 })
    expect(right(Write.build(W, 'post', 'commentsArgs')(post1)).values).toEqual({
      body: '>> body',
      post_id: 1,
    })
    expect(E.isRight(await both(db.sql, right(Write.insertBuilt(W, b))))).toBe(true)
  })
  it('a custom source is remembered and used by insertBuilt', async () => {
    const b = right(Write.build(W, 'post', 'archived')(post1, { body: 'x', parent_id: null }))
    expect(b.source).toBe('archived_comments')
    expect(E.isRight(await both(db.sql, right(Write.insertBuilt(W, b))))).toBe(true)
    expect(await count('archived_comments', 'post_id = 1')).toBe(1)
  })
  it('belongsTo and manyToMany set no key; through is an error', () => {
    expect(right(Write.build(W, 'post', 'authorNilify')(post1, { name: 'z' })).values).toEqual({ name: 'z' })
    expect(right(Write.build(W, 'post', 'tags')(post1)).values).toEqual({})
    // A through name is a type error too; untyped code gets the error value.
    const t = Write.build(W, 'post', 'commentAuthors' as 'comments')(post1)
    expect(E.isLeft(t) && t.left.message).toBe(
      "cannot build through association 'commentAuthors' of schema 'post': build the intermediate steps explicitly",
    )
  })
})
