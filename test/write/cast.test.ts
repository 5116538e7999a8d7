// Casting user params (issue 16, "changes that are safe to feed from user input"): the whitelist per
// schema and association (strict by default, or dropping), nested casts written as nested changes,
// the codecs checking every cast value before any SQL, the whitelist itself checked, and junk at the
// boundary a Left. Plans run on PostgreSQL and on the memory semantics from the same tables (`both`).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import fc from 'fast-check'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
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

const q = async (text: string): Promise<ReadonlyArray<RawRow>> =>
  [...(await db.sql.unsafe(text))].map(r => ({ ...r }))
const post2 = { id: 2, author_id: 1, title: 'again' }
const comment4 = { id: 4, post_id: 2, parent_id: null, body: 'd' }
const leftOf = <A>(e: E.Either<Write.WriteError, A>): Write.WriteError | null => (E.isLeft(e) ? e.left : null)
const plan = (c: E.Either<Write.WriteError, Write.Change>) => right(E.flatMap(Write.toPlan)(c))

describe('cast: the owner columns through a whitelist', () => {
  it('permitted columns are decoded and written where they differ; PostgreSQL = memory', async () => {
    const c = pipe(
      Write.change(W, 'post', post2),
      Write.cast({ title: 'changed', author_id: '2' }, { permit: ['title', 'author_id'] }),
    )
    expect(right(c).fields).toEqual({ title: 'changed', author_id: 2 })
    const p = plan(c)
    expect(Write.toSql(p)).toEqual([
      {
        text: 'update "posts" as "t0" set "title" = $1, "author_id" = $2 where "t0"."id" = $3 returning "id", "author_id", "title"',
        params: ['changed', 2, 2],
      },
    ])
    expect(E.isRight(await both(db.sql, p))).toBe(true)
    expect(await q('select id, author_id, title from posts where id = 2')).toEqual([
      { id: 2, author_id: 2, title: 'changed' },
    ])
  })
  it('a key that is not permitted is an Unpermitted error naming schema and key (strict by default)', () => {
    const c = pipe(
      Write.change(W, 'post', post2),
      Write.cast({ title: 'x', author_id: 3 }, { permit: ['title'] }),
    )
    expect(leftOf(c)).toMatchObject({
      code: 'Unpermitted',
      schema: 'post',
      association: null,
      column: 'author_id',
    })
    expect(leftOf(c)?.message).toBe(
      "'author_id' is not permitted: schema 'post' casts only 'title'; permit it, or cast with unknown: 'drop'",
    )
    // the primary key too, unless permitted
    const id = pipe(Write.change(W, 'post', post2), Write.cast({ id: 9, title: 'x' }, { permit: ['title'] }))
    expect(leftOf(id)).toMatchObject({ code: 'Unpermitted', column: 'id' })
  })
  it("unknown: 'drop' leaves unpermitted keys out", async () => {
    const c = right(
      pipe(
        Write.change(W, 'post', post2),
        Write.cast({ title: 'kept', author_id: 3, admin: true }, { permit: ['title'], unknown: 'drop' }),
      ),
    )
    expect(c.fields).toEqual({ title: 'kept' })
    expect(E.isRight(await both(db.sql, plan(E.right(c))))).toBe(true)
    expect(await q('select author_id, title from posts where id = 2')).toEqual([
      { author_id: 1, title: 'kept' },
    ])
  })
  it('a value the codec rejects (an object for TEXT, text for INTEGER) is a change error; toPlan is a Left', async () => {
    const c = right(
      pipe(
        Write.change(W, 'post', post2),
        Write.cast({ title: { $gt: '' }, author_id: 'one' }, { permit: ['title', 'author_id'] }),
      ),
    )
    expect(c.valid).toBe(false)
    expect(c.errors).toEqual([
      { path: 'title', message: 'is invalid', validation: 'cast' },
      { path: 'author_id', message: 'is invalid', validation: 'cast' },
    ])
    expect(leftOf(Write.toPlan(c))).toMatchObject({ code: 'InvalidChange', schema: 'post' })
    expect(await q('select title from posts where id = 2')).toEqual([{ title: 'again' }])
  })
  it('a new owner is inserted with the cast columns', async () => {
    const p = plan(
      pipe(Write.change(W, 'post', {}), Write.cast({ title: 'new post' }, { permit: ['title'] })),
    )
    expect(Write.toSql(p).map(s => s.text)).toEqual([
      'insert into "posts" ("title") values ($1) returning "id", "author_id", "title"',
    ])
    expect(E.isRight(await both(db.sql, p))).toBe(true)
    expect(await q("select id, author_id from posts where title = 'new post'")).toEqual([
      { id: 4, author_id: null },
    ])
  })
})

describe('castAssoc: the entries through a whitelist', () => {
  const owner = { ...post2, comments: [comment4] }
  it('an unpermitted key (the foreign key, the id) is an error naming schema, association and key', () => {
    const fk = pipe(
      Write.change(W, 'post', owner),
      Write.castAssoc('comments', [{ id: 4, body: 'x', post_id: 1 }], { permit: ['id', 'body'] }),
    )
    expect(leftOf(fk)).toMatchObject({
      code: 'Unpermitted',
      schema: 'post',
      association: 'comments',
      column: 'post_id',
    })
    expect(leftOf(fk)?.message).toContain(
      "'comments[0].post_id' is not permitted: association 'comments' of schema 'post'",
    )
    const id = pipe(
      Write.change(W, 'post', owner),
      Write.castAssoc('comments', [{ id: 4, body: 'x' }], { permit: ['body'] }),
    )
    expect(leftOf(id)).toMatchObject({ code: 'Unpermitted', association: 'comments', column: 'id' })
  })
  it('the foreign key can never be permitted: the owner sets it', () => {
    const c = pipe(
      Write.change(W, 'post', owner),
      Write.castAssoc('comments', [], { permit: ['body', 'post_id'] }),
    )
    expect(leftOf(c)).toMatchObject({
      code: 'Unpermitted',
      schema: 'post',
      association: 'comments',
      column: 'post_id',
    })
  })
  it("dropping an unpermitted id makes the entry new: the current child is replaced (onReplace 'raise' here)", () => {
    const c = pipe(
      Write.change(W, 'post', owner),
      Write.castAssoc('comments', [{ id: 4, body: 'x' }], { permit: ['body'], unknown: 'drop' }),
    )
    expect(leftOf(c)?.code).toBe('OnReplaceRaise')
  })
  it('with id permitted, the current child is matched and updated; PostgreSQL = memory', async () => {
    const p = plan(
      pipe(
        Write.change(W, 'post', owner),
        Write.castAssoc('comments', [{ id: '4', body: 'D', junk: 1 }], {
          permit: ['id', 'body'],
          unknown: 'drop',
        }),
      ),
    )
    expect(Write.toSql(p)).toEqual([
      {
        text: 'update "comments" as "t0" set "body" = $1 where "t0"."id" = $2 returning "id", "post_id", "parent_id", "body"',
        params: ['D', 4],
      },
    ])
    expect(E.isRight(await both(db.sql, p))).toBe(true)
    expect(await q('select id, post_id, body from comments where id = 4')).toEqual([
      { id: 4, post_id: 2, body: 'D' },
    ])
  })
  it('a rejected value is a change error with its path; nothing runs', () => {
    const c = right(
      pipe(
        Write.change(W, 'post', owner),
        Write.castAssoc('comments', [{ id: 4, body: ['not', 'text'] }], { permit: ['id', 'body'] }),
      ),
    )
    expect(c.errors.map(e => e.path)).toEqual(['comments[0].body'])
    expect(leftOf(Write.toPlan(c))?.code).toBe('InvalidChange')
  })
})

describe('nested whitelists: an entry cast with its own associations', () => {
  const permit = {
    permit: ['title'],
    assocs: { comments: { permit: ['id', 'body'], assocs: { children: { permit: ['body'] } } } },
  } as const
  const loaded = { ...post2, comments: [{ ...comment4, children: [] }] }
  const params = {
    title: 'T',
    comments: [
      { id: 4, body: 'D', children: [{ body: 'child of 4' }] },
      { body: 'new', children: [{ body: 'grandchild' }] },
    ],
  }
  it('new children and grandchildren are inserted with the keys passed down; PostgreSQL = memory', async () => {
    const p = plan(pipe(Write.change(W, 'post', loaded), Write.cast(params, permit)))
    const sql = Write.toSql(p)
    expect(sql.map(s => s.text)).toEqual([
      'update "posts" as "t0" set "title" = $1 where "t0"."id" = $2 returning "id", "author_id", "title"',
      'update "comments" as "t0" set "body" = $1 where "t0"."id" = $2 returning "id", "post_id", "parent_id", "body"',
      'insert into "comments" ("body", "parent_id") values ($1, $2) returning "id", "post_id", "parent_id", "body"',
      'insert into "comments" ("body", "post_id") values ($1, $2) returning "id", "post_id", "parent_id", "body"',
      'insert into "comments" ("body", "parent_id") values ($1, $2) returning "id", "post_id", "parent_id", "body"',
    ])
    expect(p.steps.map(s => s.note)).toEqual([
      'update post',
      'post.comments: update',
      'comment.children: insert',
      'post.comments: insert',
      'comment.children: insert',
    ])
    // The grandchild's parent is the new comment's key, taken from its statement's result.
    expect(sql[4]?.params).toEqual(['grandchild', Write.toSql(p)[4]?.params[1]])
    expect(JSON.stringify(sql[4]?.params[1])).toBe('{"_tag":"Ref","step":3,"column":"id"}')
    expect(E.isRight(await both(db.sql, p))).toBe(true)
    expect(
      await q('select id, post_id, parent_id, body from comments where id = 4 or id > 8 order by id'),
    ).toEqual([
      { id: 4, post_id: 2, parent_id: null, body: 'D' },
      { id: 9, post_id: null, parent_id: 4, body: 'child of 4' },
      { id: 10, post_id: 2, parent_id: null, body: 'new' },
      { id: 11, post_id: null, parent_id: 10, body: 'grandchild' },
    ])
  })
  it('a nested unpermitted key names the nested schema and association and the full path', () => {
    const bad = {
      ...params,
      comments: [{ id: 4, body: 'D', children: [{ body: 'x', parent_id: 1 }] }],
    }
    const c = pipe(Write.change(W, 'post', loaded), Write.cast(bad, permit))
    expect(leftOf(c)).toMatchObject({
      code: 'Unpermitted',
      schema: 'comment',
      association: 'children',
      column: 'parent_id',
    })
    expect(leftOf(c)?.message).toContain("'comments[0].children[0].parent_id' is not permitted")
    const junk = { ...params, comments: [{ id: 4, children: [{ body: 'x', junk: true }] }] }
    expect(leftOf(pipe(Write.change(W, 'post', loaded), Write.cast(junk, permit)))).toMatchObject({
      code: 'Unpermitted',
      column: 'junk',
    })
  })
  it("a nested whitelist inherits 'drop' from its parent unless it says otherwise", () => {
    const junk = { comments: [{ id: 4, children: [{ body: 'x', junk: true }] }] }
    const drop = { ...permit, unknown: 'drop' } as const
    const c = right(pipe(Write.change(W, 'post', loaded), Write.cast(junk, drop)))
    const entry = c.associations[0]?.entries[0]
    expect(entry?._tag === 'Update' && entry.nested?.[0]?.entries).toEqual([
      { _tag: 'Insert', values: { body: 'x' } },
    ])
    const strictInside = {
      permit: ['title'],
      unknown: 'drop',
      assocs: {
        comments: { permit: ['id', 'body'], assocs: { children: { permit: ['body'], unknown: 'strict' } } },
      },
    } as const
    expect(leftOf(pipe(Write.change(W, 'post', loaded), Write.cast(junk, strictInside)))?.column).toBe('junk')
  })
  it('nested values are checked by the codecs: a change error with the full path', () => {
    const bad = { comments: [{ id: 4, children: [{ body: { nested: 'object' } }] }] }
    const c = right(pipe(Write.change(W, 'post', loaded), Write.cast(bad, permit)))
    expect(c.errors).toEqual([
      { path: 'comments[0].children[0].body', message: 'is invalid', validation: 'cast' },
    ])
    expect(leftOf(Write.toPlan(c))?.code).toBe('InvalidChange')
  })
  it('a current child whose nested association is not loaded is a NotLoaded error naming it', () => {
    const c = pipe(Write.change(W, 'post', { ...post2, comments: [comment4] }), Write.cast(params, permit))
    expect(leftOf(c)).toMatchObject({ code: 'NotLoaded', schema: 'comment', association: 'children' })
  })
  it('a permitted association left out of the params and not loaded: NotLoaded naming schema and association (cast and castAssoc)', () => {
    // Its loaded value would be the plan's result, typed with it: not loaded, it would go missing.
    const whitelist = { permit: ['title'], assocs: { comments: { permit: ['body'] } } } as const
    const c = pipe(Write.change(W, 'post', post2), Write.cast({ title: 'T' }, whitelist))
    expect(leftOf(c)).toMatchObject({ code: 'NotLoaded', schema: 'post', association: 'comments' })
    expect(leftOf(c)?.message).toContain('preload it, or leave it out of the whitelist')
    const viaAssoc = pipe(
      Write.change(W, 'post', post2),
      Write.castAssoc('comments', undefined, { permit: ['body'] }),
    )
    expect(leftOf(viaAssoc)).toMatchObject({ code: 'NotLoaded', schema: 'post', association: 'comments' })
  })
  it('a permitted association left out of the params and loaded: no change, the result holds it as loaded; PostgreSQL = memory', async () => {
    const whitelist = { permit: ['title'], assocs: { comments: { permit: ['body'] } } } as const
    const p = plan(
      pipe(
        Write.change(W, 'post', { ...post2, comments: [comment4] }),
        Write.cast({ title: 'T' }, whitelist),
      ),
    )
    expect(await both(db.sql, p)).toEqual(E.right({ id: 2, author_id: 1, title: 'T', comments: [comment4] }))
    // A new owner has none loaded and none to lose: an empty list.
    const fresh_ = plan(
      pipe(Write.change(W, 'post', { author_id: 1, title: 'new' }), Write.cast({}, whitelist)),
    )
    const r = await both(db.sql, fresh_)
    expect(
      E.map((x: { readonly comments: unknown }) => x.comments)(
        r as E.Either<unknown, { readonly comments: unknown }>,
      ),
    ).toEqual(E.right([]))
  })
  it('a failing nested statement rolls the whole plan back on both interpreters', async () => {
    const p = plan(pipe(Write.change(W, 'post', loaded), Write.cast(params, permit)))
    // The current comment is gone: its update touches no row, a StaleEntry naming the schema.
    await db.sql.unsafe('delete from comments where id = 4')
    const r = await both(db.sql, p)
    expect(leftOf(r as E.Either<Write.WriteError, unknown>)).toMatchObject({
      code: 'StaleEntry',
      schema: 'comment',
    })
    expect(await q('select title from posts where id = 2')).toEqual([{ title: 'again' }])
  })
})

describe('the whitelist itself is checked', () => {
  const c = Write.change(W, 'post', { ...post2, comments: [] })
  const cases: ReadonlyArray<readonly [string, unknown, Partial<Write.WriteError>]> = [
    ['not a record', null, { code: 'InvalidValue', schema: 'post' }],
    ['permit not a list', { permit: 'title' }, { code: 'InvalidValue' }],
    [
      'an unknown column',
      { permit: ['title', 'nope'] },
      { code: 'UnknownColumn', schema: 'post', column: 'nope' },
    ],
    [
      'an unknown association',
      { permit: [], assocs: { nope: { permit: [] } } },
      { code: 'UnknownAssociation' },
    ],
    [
      'a through association',
      { permit: [], assocs: { commentAuthors: { permit: [] } } },
      { code: 'ReadOnlyAssociation' },
    ],
    ['a bad unknown option', { permit: [], unknown: 'ignore' }, { code: 'InvalidValue' }],
    ['an unknown option', { permit: [], only: ['x'] }, { code: 'InvalidValue' }],
    [
      'a nested unknown column',
      { permit: [], assocs: { comments: { permit: ['title'] } } },
      { code: 'UnknownColumn', schema: 'post', association: 'comments', column: 'title' },
    ],
  ]
  it.each(cases)('%s', (_, permit, expected) => {
    const r = Write.cast({ comments: [] }, permit as Write.Permit)(c)
    expect(leftOf(r)).toMatchObject(expected)
  })
  it('castAssoc without a whitelist (untyped) is an error, not an open door', () => {
    const untyped = Write.castAssoc as unknown as (
      n: string,
      p: unknown,
    ) => (c: Write.Change) => E.Either<Write.WriteError, Write.Change>
    expect(leftOf(untyped('comments', [{ body: 'x' }])(c))).toMatchObject({
      code: 'InvalidValue',
      schema: 'post',
      association: 'comments',
    })
  })
})

describe('junk at the boundary is a Left, never a throw', () => {
  const throwing = new Proxy(
    {},
    {
      ownKeys: () => {
        throw new Error('trap')
      },
      get: () => {
        throw new Error('trap')
      },
    },
  )
  const junk: ReadonlyArray<unknown> = [null, undefined, 42, 'params', [1, 2], new Date(0), throwing]
  it('params', () => {
    for (const [i, v] of junk.entries()) {
      const r = Write.cast(v, { permit: ['title'] })(Write.change(W, 'post', post2))
      if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date)
        expect(leftOf(r), `junk ${i}`).toMatchObject({ code: 'InvalidValue', schema: 'post' })
      else expect(E.isLeft(r)).toBe(true)
      const a = Write.castAssoc('comments', v, { permit: ['body'] })(
        Write.change(W, 'post', { ...post2, comments: [] }),
      )
      expect(v === undefined ? E.isRight(a) : E.isLeft(a), `junk ${i}`).toBe(true)
    }
  })
  it('whitelists and changes', () => {
    for (const v of junk) {
      expect(E.isLeft(Write.cast({ title: 'x' }, v as Write.Permit)(Write.change(W, 'post', post2)))).toBe(
        true,
      )
      expect(E.isLeft(Write.cast({ title: 'x' }, { permit: ['title'] })(v as Write.Change))).toBe(true)
      expect(
        E.isLeft(Write.castAssoc('comments', [], v as Write.Permit)(Write.change(W, 'post', post2))),
      ).toBe(true)
    }
  })
})

describe('strict and drop agree with the whitelist, for any params (property)', () => {
  // Keys from the comment columns (permitted or not), the nested association, and junk; values of any
  // JSON shape. Strict is a Left exactly when a key is not permitted; drop equals strict on the params
  // cut down to the permitted keys; a change that exists has only permitted columns in its entries.
  const keys = fc.constantFrom(
    'id',
    'body',
    'post_id',
    'parent_id',
    'children',
    'junk',
    '__proto__x',
    'constructor',
  )
  const entry = fc.dictionary(keys, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 })
  const permit = { permit: ['body', 'parent_id'] } as const
  const allowed = new Set<string>(permit.permit)
  const owner = Write.change(W, 'post', { ...post2, comments: [] })
  it('holds', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 4 }), params => {
        const defined = params.map(p =>
          Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)),
        )
        const strict = Write.castAssoc('comments', defined, permit)(owner)
        const drop = Write.castAssoc('comments', defined, { ...permit, unknown: 'drop' })(owner)
        const cut = defined.map(p => Object.fromEntries(Object.entries(p).filter(([k]) => allowed.has(k))))
        const onCut = Write.castAssoc('comments', cut, permit)(owner)
        const unpermitted = defined.some(p => Object.keys(p).some(k => !allowed.has(k)))
        expect(E.isLeft(strict)).toBe(unpermitted)
        if (E.isLeft(strict)) expect(strict.left.code).toBe('Unpermitted')
        else expect(strict).toEqual(onCut)
        expect(drop).toEqual(onCut)
        if (E.isRight(drop))
          for (const e of drop.right.associations[0]?.entries ?? [])
            if (e._tag === 'Insert') expect(Object.keys(e.values).every(k => allowed.has(k))).toBe(true)
      }),
    )
  })
})
