import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ref } from '../../src/ast/Write.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { both, fresh, right, W } from './model.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())
beforeEach(async () => {
  await run(db.sql, fresh())
})

const rows = async (text: string): Promise<ReadonlyArray<RawRow>> => [...(await db.sql.unsafe(text))]
const q = async (text: string) => (await rows(text)).map(r => ({ ...r }))
const post1 = { id: 1, author_id: 1, title: 'hello' }
const comments1 = () => q('select * from comments where post_id = 1 order by id')
const planOf = (c: E.Either<Write.WriteError, Write.Change>) => right(E.flatMap(Write.toPlan)(c))
const put = (name: string, owner: Record<string, unknown>, value: Parameters<typeof Write.putAssoc>[1]) =>
  pipe(Write.change(W, 'post', owner), Write.putAssoc(name, value))

describe('putAssoc on has_many, every onReplace', () => {
  it('raise: an error value naming schema and association', async () => {
    const c = put('commentsRaise', { ...post1, commentsRaise: await comments1() }, [])
    expect(E.isLeft(c) && c.left).toMatchObject({
      code: 'OnReplaceRaise',
      schema: 'post',
      association: 'commentsRaise',
    })
  })
  it('mark_as_invalid: an invalid change with an error on the association; no plan', async () => {
    const c = right(put('commentsInvalid', { ...post1, commentsInvalid: await comments1() }, []))
    expect(c.valid).toBe(false)
    expect(c.errors).toEqual([{ path: 'commentsInvalid', message: 'is invalid', validation: null }])
    const p = Write.toPlan(c)
    expect(E.isLeft(p) && p.left.code).toBe('InvalidChange')
  })
  it('nilify: replaced children get a NULL key; kept updated; new inserted with the owner key', async () => {
    const current = await comments1()
    await db.sql.unsafe('update comments set parent_id = null')
    const plan = planOf(
      put('commentsNilify', { ...post1, commentsNilify: current }, [
        { ...current[0], body: 'A' },
        { body: 'new', parent_id: null },
      ]),
    )
    expect(plan.steps.map(s => s.note)).toEqual([
      'post.commentsNilify: nilify replaced',
      'post.commentsNilify: nilify replaced',
      'post.commentsNilify: update',
      'post.commentsNilify: insert',
    ])
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect((await comments1()).map(c => [c['id'], c['body']])).toEqual([
      [1, 'A'],
      [9, 'new'],
    ])
    expect(await q('select id from comments where id in (2, 3) and post_id is null')).toHaveLength(2)
  })
  it('delete: replaced children deleted; a child already gone is a StaleEntry and nothing is written', async () => {
    await db.sql.unsafe('update comments set parent_id = null')
    const current = await comments1()
    const plan = planOf(put('commentsDelete', { ...post1, commentsDelete: current }, [current[0] as RawRow]))
    expect(Write.toSql(plan).map(s => s.text)).toEqual([
      'delete from "comments" as "t0" where "t0"."id" = $1 returning "id"',
      'delete from "comments" as "t0" where "t0"."id" = $1 returning "id"',
    ])
    await db.sql.unsafe('delete from comments where id = 3')
    const stale = await both(db.sql, plan)
    expect(E.isLeft(stale) && stale.left).toMatchObject({ code: 'StaleEntry' })
    expect(await comments1()).toHaveLength(2)
  })
  it('delete_if_exists: a child already gone is fine', async () => {
    await db.sql.unsafe('update comments set parent_id = null')
    const current = await comments1()
    await db.sql.unsafe('delete from comments where id = 3')
    const plan = planOf(put('commentsDeleteIfExists', { ...post1, commentsDeleteIfExists: current }, []))
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await comments1()).toHaveLength(0)
  })
  it('the association must be loaded; through is read-only; defaults apply to new maps (no owner)', async () => {
    const nl = put('commentsNilify', post1, [])
    expect(E.isLeft(nl) && nl.left.message).toBe(
      "association 'commentsNilify' of schema 'post' is not loaded; preload it before changing it",
    )
    const th = put('commentAuthors', { ...post1, commentAuthors: [] }, [])
    expect(E.isLeft(th) && th.left).toMatchObject({
      code: 'ReadOnlyAssociation',
      association: 'commentAuthors',
    })
    const plan = planOf(put('commentsFn', { ...post1, commentsFn: [] }, [{ parent_id: null }]))
    expect(Write.toSql(plan)[0]?.params).toEqual(['re: (none)', null, 1])
  })
  it('a new owner with children: owner inserted first, children take its generated key', async () => {
    const plan = planOf(
      pipe(
        Write.change(W, 'post', { title: 'fresh', author_id: null }),
        Write.putAssoc('comments', [{ parent_id: null }]),
      ),
    )
    expect(Write.toSql(plan)[1]?.params).toEqual(['empty', null, ref(0, 'id')])
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await q('select post_id, body from comments where id = 9')).toEqual([
      { post_id: 4, body: 'empty' },
    ])
  })
})

describe('has_one', () => {
  const link1 = { id: 1, post_id: 1, url: '/hello' }
  it('delete: the old child is deleted before the new one is inserted (unique index on post_id)', async () => {
    const plan = planOf(put('permalinkDelete', { ...post1, permalinkDelete: O.some(link1) }, { url: '/new' }))
    expect(plan.steps.map(s => s.statement._tag)).toEqual(['Delete', 'Insert'])
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await q('select id, url from permalinks where post_id = 1')).toEqual([{ id: 3, url: '/new' }])
  })
  it('nilify: the old child keeps its row with a NULL key', async () => {
    const plan = planOf(put('permalinkNilify', { ...post1, permalinkNilify: link1 }, { url: '/new' }))
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await q('select id, post_id from permalinks where id in (1, 3) order by id')).toEqual([
      { id: 1, post_id: null },
      { id: 3, post_id: 1 },
    ])
  })
  it('update: a map updates the existing child in place, whatever its id; null nilifies', async () => {
    const plan = planOf(put('permalinkUpdate', { ...post1, permalinkUpdate: link1 }, { url: '/moved' }))
    expect(Write.toSql(plan)).toEqual([
      {
        text: 'update "permalinks" as "t0" set "url" = $1 where "t0"."id" = $2 returning "id", "post_id", "url"',
        params: ['/moved', 1],
      },
    ])
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    const gone = planOf(put('permalinkUpdate', { ...post1, permalinkUpdate: link1 }, null))
    expect(E.isRight(await both(db.sql, gone))).toBe(true)
    expect(await q('select id, post_id, url from permalinks where id = 1')).toEqual([
      { id: 1, post_id: null, url: '/moved' },
    ])
  })
  it('raise is an error value', () => {
    const c = put('permalinkRaise', { ...post1, permalinkRaise: link1 }, null)
    expect(E.isLeft(c) && c.left.code).toBe('OnReplaceRaise')
  })
})

describe('belongs_to: parents first', () => {
  const ada = { id: 1, name: 'ada' }
  it('a new parent is inserted, then the owner takes its key; nilify leaves the old parent', async () => {
    const plan = planOf(put('authorNilify', { ...post1, authorNilify: ada }, { name: 'dee' }))
    expect(plan.steps.map(s => s.note)).toEqual(['post.authorNilify: insert parent', 'update post'])
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await q('select author_id from posts where id = 1')).toEqual([{ author_id: 4 }])
    expect(await q('select count(*)::int as n from users')).toEqual([{ n: 4 }])
  })
  it('delete: the old parent is deleted (as Ecto), after the owner stops pointing at it', async () => {
    await db.sql.unsafe('update posts set author_id = 3 where id = 1')
    const cy = { id: 3, name: 'cy' }
    const plan = planOf(
      // Only the key: an existing parent linked without changes (its other columns would be written).
      put('authorDelete', { ...post1, author_id: 3, authorDelete: cy }, { id: 2 }),
    )
    expect(plan.steps.map(s => s.note)).toEqual(['update post', 'post.authorDelete: delete replaced parent'])
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await q('select id from users order by id')).toEqual([{ id: 1 }, { id: 2 }])
  })
  it('delete_if_exists, update, mark_as_invalid, raise', async () => {
    await db.sql.unsafe('update posts set author_id = 3 where id = 1')
    const cy = { id: 3, name: 'cy' }
    const owner = { ...post1, author_id: 3 }
    await db.sql.unsafe('update posts set author_id = null where id = 1')
    await db.sql.unsafe('delete from users where id = 3')
    expect(
      E.isRight(
        await both(db.sql, planOf(put('authorDeleteIfExists', { ...owner, authorDeleteIfExists: cy }, null))),
      ),
    ).toBe(true)
    const upd = planOf(put('authorUpdate', { ...post1, authorUpdate: ada }, { name: 'ada l.' }))
    expect(Write.toSql(upd)).toEqual([
      {
        text: 'update "users" as "t0" set "name" = $1 where "t0"."id" = $2 returning "id", "name"',
        params: ['ada l.', 1],
      },
    ])
    expect(E.isRight(await both(db.sql, upd))).toBe(true)
    expect(right(put('authorInvalid', { ...post1, authorInvalid: ada }, null)).valid).toBe(false)
    const r = put('authorRaise', { ...post1, authorRaise: ada }, null)
    expect(E.isLeft(r) && r.left.message).toContain("association 'authorRaise' of schema 'post'")
  })
})

describe('many_to_many', () => {
  const tagsOf1 = () => q('select tag_id, kind from posts_tags where post_id = 1 order by tag_id')
  it('join rows inserted with joinDefaults; removed ones deleted with joinWhere; related rows untouched', async () => {
    const current = [
      { id: 1, name: 'x' },
      { id: 2, name: 'y' },
    ]
    const plan = planOf(put('tags', { ...post1, tags: current }, [{ id: 2, name: 'y' }, { name: 'new' }]))
    expect(Write.toSql(plan).map(s => s.text)).toEqual([
      'delete from "posts_tags" as "t0" where "t0"."post_id" = $1 and "t0"."tag_id" = $2 and "t0"."kind" = $3 returning "post_id"',
      'insert into "tags" ("name") values ($1) returning "id", "name"',
      'insert into "posts_tags" ("kind", "post_id", "tag_id") values ($1, $2, $3) returning "post_id", "tag_id"',
    ])
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await tagsOf1()).toEqual([
      { tag_id: 2, kind: 'manual' },
      { tag_id: 3, kind: 'auto' },
      { tag_id: 4, kind: 'manual' },
    ])
    expect(await q('select count(*)::int as n from tags')).toEqual([{ n: 4 }])
  })
  it('unique reports duplicates; an existing pair raises unless ON CONFLICT DO NOTHING', async () => {
    const dup = right(
      put('uniqueTags', { ...post1, uniqueTags: [] }, [
        { id: 3, name: 'z' },
        { id: 3, name: 'z' },
      ]),
    )
    expect(dup.errors).toEqual([
      { path: 'uniqueTags[1].id', message: 'has already been taken', validation: 'unique' },
    ])
    // tag 3 is already joined to post 1 (kind auto) but not loaded as uniqueTags: linking it conflicts
    const c = put('uniqueTags', { ...post1, uniqueTags: [] }, [{ id: 3 }])
    const raise = await both(db.sql, planOf(c))
    expect(E.isLeft(raise) && raise.left).toMatchObject({ kind: 'UniqueViolation' })
    const nothing = right(E.flatMap((x: Write.Change) => Write.toPlan(x, { onJoinConflict: 'nothing' }))(c))
    // Tag 3 is given by its key alone: a first statement reads it whole (for the plan's result).
    expect(Write.toSql(nothing).map(s => s.text)).toEqual([
      'select "id", "name" from "tags" as "t0" where "t0"."id" = $1 for key share',
      expect.stringContaining('on conflict do nothing'),
    ])
    expect(E.isRight(await both(db.sql, nothing))).toBe(true)
  })
})

describe('castAssoc', () => {
  it('values checked by the codecs become change errors; unknown ids are inserted; defaults get the owner', async () => {
    const bad = right(
      pipe(
        Write.change(W, 'post', { ...post1, commentsFn: [] }),
        Write.castAssoc('commentsFn', [{ body: 1 }, { parent_id: 'x' }], { permit: ['body', 'parent_id'] }),
      ),
    )
    expect(bad.errors.map(e => e.path)).toEqual(['commentsFn[0].body', 'commentsFn[1].parent_id'])
    const ok = planOf(
      pipe(
        Write.change(W, 'post', { ...post1, commentsFn: [] }),
        Write.castAssoc('commentsFn', [{ id: 100, junk: true }], { permit: ['id', 'body'], unknown: 'drop' }),
      ),
    )
    expect(Write.toSql(ok)[0]?.params).toEqual(['re: hello', 100, 1])
    expect(E.isRight(await both(db.sql, ok))).toBe(true)
  })
})
