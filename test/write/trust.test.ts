// Issue 13, items 3, 4, 5, 6, 9, 10: writes that lost or corrupted data silently, values that were not
// checked by their codecs, and rows that made a preload throw. Every write runs on PostgreSQL and in the
// memory interpreter (`both` checks they leave the same tables).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Column, Memory, Pg, Run, Schema } from '../../src/index.js'
import * as Ddl from '../../src/sql/Ddl.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { both, dump, fresh, right, W } from './model.js'

// A model with json columns, where a value shaped like a plan reference can hide.
const folder = Schema.table('folder', 'folders', { id: Column.serial, name: Column.text })
const doc = Schema.table('doc', 'docs', {
  id: Column.serial,
  folder_id: Column.nullable(Column.integer),
  title: Column.text,
  meta: Column.nullable(Column.json(t.unknown)),
})
const label = Schema.table('label', 'labels', { id: Column.serial, name: Column.text })
const doc_label = Schema.table(
  'doc_label',
  'docs_labels',
  { doc_id: Column.integer, label_id: Column.integer, note: Column.json(t.unknown) },
  { primaryKey: ['doc_id', 'label_id'] },
)
// Frozen, as state from immer or Redux is: the shape of the plan reference to step 0's `title`.
const refLike = Object.freeze({ _tag: 'Ref', step: 0, column: 'title' })
const J = Schema.modelOrThrow(
  { folder, doc, label, doc_label },
  {
    folder: { docs: Schema.hasMany('doc', { onReplace: 'delete' }) },
    doc: {
      labels: Schema.manyToMany('label', { joinThrough: 'doc_label', joinDefaults: { note: refLike } }),
    },
  },
)
const jTables = ['folders', 'docs', 'labels', 'docs_labels']
const jFresh = (): ReadonlyArray<string> => [
  `drop table if exists ${jTables.map(x => `"${x}"`).join(', ')} cascade`,
  ...right(Ddl.ddl(J)),
  `insert into folders (id, name) values (1, 'inbox')`,
  `insert into docs (id, folder_id, title, meta) values (1, 1, 'first', null)`,
  `insert into labels (id, name) values (1, 'red')`,
  ...['folders', 'docs', 'labels'].map(
    x => `select setval(pg_get_serial_sequence('${x}', 'id'), (select max(id) from ${x}))`,
  ),
]

let db: TestDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())
beforeEach(async () => {
  await run(db.sql, [...fresh(), ...jFresh()])
})

const q = async (text: string) => [...(await db.sql.unsafe(text))].map(r => ({ ...r }))
const post1 = { id: 1, author_id: 1, title: 'hello' }
const link1 = { id: 1, post_id: 1, url: '/hello' }
const planOf = (c: E.Either<Write.WriteError, Write.Change>) => right(E.flatMap(Write.toPlan)(c))
const put = (name: string, owner: Record<string, unknown>, value: Parameters<typeof Write.putAssoc>[1]) =>
  pipe(Write.change(W, 'post', owner), Write.putAssoc(name, value))
// Every column of the association's target but the foreign key its owner sets: these tests are about
// keys and values, not about the whitelist (test/write/cast.test.ts is).
const permitAll = (name: string): Write.Permit => {
  const a = W.associations.get('post')?.get(name)
  if (a === undefined || a._tag === 'Through') return { permit: [] }
  const fk = a._tag === 'HasMany' || a._tag === 'HasOne' ? a.relatedKey : null
  return { permit: [...(W.tables[a.target as 'comment']?.columns.keys() ?? [])].filter(c => c !== fk) }
}
const cast = (name: string, owner: Record<string, unknown>, params: unknown) =>
  pipe(Write.change(W, 'post', owner), Write.castAssoc(name, params, permitAll(name)))
const leftOf = <A>(e: E.Either<Write.WriteError, A>): Write.WriteError | null => (E.isLeft(e) ? e.left : null)

// Runs a plan of the json model on both interpreters; returns the memory tables too.
const bothJ = async <A>(plan: Write.Plan<A>) => {
  const before = await dump(db.sql, jTables)
  const pg = await both(db.sql, plan, { tables: jTables })
  const mem = Write.runPure(plan)(before)
  return { pg, mem: E.isRight(mem) ? mem.right.tables : null }
}
const memRows = (tables: ReadonlyMap<string, ReadonlyArray<RawRow>> | null, table: string) =>
  [...(tables?.get(table) ?? [])].map(r => ({ ...r }))

describe('item 3: every written value passes its column codec before a plan exists', () => {
  it('insert / update: a value the codec rejects is an InvalidValue naming schema, column and value', () => {
    const obj = Write.insert(W, 'post', { title: { any: 'object' } as unknown as string })
    expect(leftOf(obj)).toMatchObject({ code: 'InvalidValue', schema: 'post', column: 'title' })
    expect(leftOf(obj)?.message).toContain('{"any":"object"}')
    // rendered with error/Show: a BigInt keeps its n, and nothing throws
    const big = Write.update(W, 'post', post1, { title: 10n as unknown as string })
    expect(leftOf(big)?.message).toBe(
      "invalid value 10n for column 'title' of schema 'post': expected string",
    )
  })
  it('change: the fields of the owner, and a new owner with a key that is not a column', () => {
    const bad = Write.toPlan(Write.change(W, 'post', post1, { title: [1] as unknown as string }))
    expect(leftOf(bad)).toMatchObject({ code: 'InvalidValue', schema: 'post', column: 'title' })
    // a new record's unknown key was dropped without a word; its preloaded associations still are not columns
    const unknown = Write.toPlan(
      Write.change(W, 'post', { title: 'x', author_id: null, titel: 'typo' } as never),
    )
    expect(leftOf(unknown)).toMatchObject({ code: 'UnknownColumn', schema: 'post', column: 'titel' })
    const withAssoc = Write.toPlan(Write.change(W, 'post', { title: 'x', author_id: null, comments: [] }))
    expect(E.isRight(withAssoc)).toBe(true)
  })
  it('putAssoc: entries checked when put (schema, association, column, value); unknown keys rejected', () => {
    const bad = put('comments', { ...post1, comments: [] }, [{ body: { x: 1 }, parent_id: null }])
    expect(leftOf(bad)).toMatchObject({
      code: 'InvalidValue',
      schema: 'post',
      association: 'comments',
      column: 'body',
    })
    expect(leftOf(bad)?.message).toContain('{"x":1}')
    const unknown = put('comments', { ...post1, comments: [] }, [{ body: 'a', bdoy: 'b' }])
    expect(leftOf(unknown)).toMatchObject({ code: 'UnknownColumn', association: 'comments', column: 'bdoy' })
    // a loaded row carrying its own preloaded association is fine: the association is not written
    const loaded = put('comments', { ...post1, comments: [] }, [{ body: 'a', children: [] }])
    expect(E.isRight(loaded)).toBe(true)
  })
  it('defaults: a defaults function giving a bad value is an error at putAssoc / castAssoc and build', () => {
    const M = Schema.modelOrThrow(
      { post: W.tables.post, comment: W.tables.comment },
      {
        post: {
          comments: Schema.hasMany('comment', {
            defaults: (child: Record<string, unknown>) => ({ ...child, body: 42 }),
          }),
        },
      },
    )
    const viaPut = pipe(
      Write.change(M, 'post', { ...post1, comments: [] }),
      Write.putAssoc('comments', [{ parent_id: null }]),
    )
    expect(leftOf(viaPut)).toMatchObject({ code: 'InvalidValue', association: 'comments', column: 'body' })
    const viaCast = pipe(
      Write.change(M, 'post', { ...post1, comments: [] }),
      Write.castAssoc('comments', [{ parent_id: null }], { permit: ['parent_id'] }),
    )
    expect(leftOf(viaCast)).toMatchObject({ code: 'InvalidValue', column: 'body' })
    const built = Write.build(M, 'post', 'comments')(post1)
    expect(leftOf(built)).toMatchObject({
      code: 'InvalidValue',
      schema: 'post',
      association: 'comments',
      column: 'body',
    })
  })
  it('a defaults function that throws or gives no record is an error value, not a throw', () => {
    const M = Schema.modelOrThrow(
      { post: W.tables.post, comment: W.tables.comment },
      {
        post: {
          throws: Schema.hasMany('comment', {
            defaults: () => {
              throw new Error('boom')
            },
          }),
          nothing: Schema.hasMany('comment', { defaults: () => 7 as never }),
        },
      },
    )
    const viaPut = pipe(
      Write.change(M, 'post', { ...post1, throws: [] }),
      Write.putAssoc('throws', [{ body: 'x' }]),
    )
    expect(leftOf(viaPut)).toMatchObject({ code: 'InvalidValue', schema: 'post', association: 'throws' })
    expect(leftOf(viaPut)?.message).toContain('threw')
    expect(leftOf(Write.build(M, 'post', 'nothing')(post1))?.message).toBe(
      "the defaults of association 'nothing' of schema 'post' gave 7, not a record",
    )
  })
  it('untyped values that are not records are error values, never a throw', () => {
    for (const v of [null, 42, 'x', [1], new Date(0)] as never[]) {
      expect(leftOf(Write.insert(W, 'post', v))).toMatchObject({ code: 'InvalidValue', schema: 'post' })
      expect(leftOf(Write.update(W, 'post', v, {}))).toMatchObject({ code: 'InvalidValue', schema: 'post' })
      expect(leftOf(Write.update(W, 'post', post1, v))).toMatchObject({ code: 'InvalidValue' })
      expect(leftOf(Write.delete(W, 'post', v))).toMatchObject({ code: 'InvalidValue' })
      expect(leftOf(Write.build(W, 'post', 'comments')(v))).toMatchObject({ code: 'InvalidValue' })
    }
    for (const v of [null, 42, [post1]] as never[]) {
      const c = Write.change(W, 'post', v, v)
      expect(c.valid).toBe(false)
      expect(leftOf(Write.toPlan(c))).toMatchObject({ code: 'InvalidChange', schema: 'post' })
      expect(E.isRight(Write.castAssoc('comments', [], { permit: ['body'] })(c))).toBe(true)
    }
    expect(leftOf(Write.insertAll(W, 'tag', null as never))).toMatchObject({ code: 'InvalidValue' })
    expect(leftOf(Write.insertAll(W, 'tag', [null] as never))).toMatchObject({ code: 'InvalidValue' })
  })
  it('input whose every read throws (a hostile proxy) is an error value too', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap')
        },
        getPrototypeOf: () => {
          throw new Error('trap')
        },
        ownKeys: () => {
          throw new Error('trap')
        },
      },
    ) as never
    const results: ReadonlyArray<E.Either<Write.WriteError, unknown>> = [
      Write.insert(W, 'post', hostile),
      Write.insertAll(W, 'post', [hostile]),
      Write.update(W, 'post', hostile, hostile),
      Write.delete(W, 'post', hostile),
      Write.build(W, 'post', 'comments')(hostile, hostile),
      Write.insertBuilt(W, hostile),
      Write.putAssoc('comments', hostile)(right(put('comments', { ...post1, comments: [] }, []))),
      Write.castAssoc('comments', [], { permit: ['body'] })(hostile),
      Write.toPlan(hostile),
    ]
    for (const r of results) expect(leftOf(r)?.code).toBe('InvalidValue')
    const c = Write.change(W, 'post', hostile, hostile)
    expect(c.valid).toBe(false)
    expect(leftOf(Write.toPlan(c))?.code).toBe('InvalidChange')
  })
  it('build: attrs checked; an unknown attr is an UnknownColumn', () => {
    const bad = Write.build(W, 'post', 'comments')(post1, { body: 7 as unknown as string })
    expect(leftOf(bad)).toMatchObject({ code: 'InvalidValue', column: 'body' })
    const unknown = Write.build(W, 'post', 'comments')(post1, { nope: 1 } as never)
    expect(leftOf(unknown)).toMatchObject({ code: 'UnknownColumn', column: 'nope' })
    expect(E.isRight(Write.build(W, 'post', 'comments')(post1, { body: 'ok' }))).toBe(true)
  })
  it('joinDefaults: the join row is checked with the join schema codecs', () => {
    const m = Schema.model(
      { post: W.tables.post, tag: W.tables.tag, post_tag: W.tables.post_tag },
      { post: { tags: Schema.manyToMany('tag', { joinThrough: 'post_tag', joinDefaults: { kind: 5 } }) } },
    )
    // The model may refuse the defaults itself (schema validation); if it does not, no plan may exist.
    if (E.isLeft(m)) expect(m.left.option).toMatch(/^joinDefaults/)
    else {
      const c = pipe(
        Write.change(m.right, 'post', { ...post1, tags: [] }),
        Write.putAssoc('tags', [{ id: 3 }]),
      )
      expect(leftOf(E.flatMap(Write.toPlan)(c))).toMatchObject({
        code: 'InvalidValue',
        schema: 'post',
        association: 'tags',
        column: 'kind',
      })
    }
    // A join row without its required column is refused before SQL (it was a NOT NULL violation).
    const bare = Schema.modelOrThrow(
      { post: W.tables.post, tag: W.tables.tag, post_tag: W.tables.post_tag },
      { post: { tags: Schema.manyToMany('tag', { joinThrough: 'post_tag' }) } },
    )
    const c = pipe(Write.change(bare, 'post', { ...post1, tags: [] }), Write.putAssoc('tags', [{ id: 3 }]))
    const p = E.flatMap(Write.toPlan)(c)
    expect(leftOf(p)).toMatchObject({
      code: 'MissingColumn',
      schema: 'post',
      association: 'tags',
      column: 'kind',
    })
    expect(leftOf(p)?.message).toBe(
      "missing required column 'kind' of schema 'post_tag' (join row of association 'tags')",
    )
  })
})

describe('item 3: a value shaped like a plan reference is written as itself (PostgreSQL and memory)', () => {
  const stored = { _tag: 'Ref', step: 0, column: 'title' }
  it('insert and update: no MissingKey, the json column holds the object', async () => {
    const ins = right(Write.insert(J, 'doc', { title: 't', folder_id: null, meta: refLike }))
    const r = await bothJ(ins)
    expect(r.pg).toEqual(E.right({ id: 2, folder_id: null, title: 't', meta: stored }))
    expect(memRows(r.mem, 'docs').find(d => d['id'] === 2)?.['meta']).toEqual(stored)
    const upd = right(
      Write.update(J, 'doc', { id: 1, folder_id: 1, title: 'first', meta: null }, { meta: refLike }),
    )
    const u = await bothJ(upd)
    expect(E.isRight(u.pg)).toBe(true)
    expect(await q('select meta from docs where id = 1')).toEqual([{ meta: stored }])
    expect(memRows(u.mem, 'docs').find(d => d['id'] === 1)?.['meta']).toEqual(stored)
  })
  it('insertAll: each row holds its own object, not another row title', async () => {
    const plan = right(
      Write.insertAll(J, 'doc', [
        { title: 'a', folder_id: null, meta: null },
        { title: 'b', folder_id: null, meta: refLike },
      ]),
    )
    const r = await bothJ(plan)
    expect(E.isRight(r.pg)).toBe(true)
    expect(await q(`select meta from docs where title = 'b'`)).toEqual([{ meta: stored }])
    expect(memRows(r.mem, 'docs').find(d => d['title'] === 'b')?.['meta']).toEqual(stored)
  })
  it('castAssoc and putAssoc on a new owner: the child meta is the object, not the owner name', async () => {
    for (const mode of ['cast', 'put'] as const) {
      await run(db.sql, jFresh())
      const c = pipe(
        Write.change(J, 'folder', { name: `by ${mode}` }),
        mode === 'cast'
          ? Write.castAssoc('docs', [{ title: 'child', meta: refLike }], { permit: ['title', 'meta'] })
          : Write.putAssoc('docs', [{ title: 'child', meta: refLike }]),
      )
      const plan = right(E.flatMap(Write.toPlan)(c))
      const r = await bothJ(plan)
      expect(E.isRight(r.pg)).toBe(true)
      expect(await q(`select folder_id, meta from docs where title = 'child'`)).toEqual([
        { folder_id: 2, meta: stored },
      ])
      expect(memRows(r.mem, 'docs').find(d => d['title'] === 'child')?.['meta']).toEqual(stored)
    }
  })
  it('joinDefaults: the join row note is the object', async () => {
    const c = pipe(
      Write.change(J, 'doc', { id: 1, folder_id: 1, title: 'first', meta: null, labels: [] }),
      Write.putAssoc('labels', [{ name: 'blue' }]),
    )
    const r = await bothJ(planOf(c))
    expect(E.isRight(r.pg)).toBe(true)
    expect(await q('select doc_id, label_id, note from docs_labels')).toEqual([
      { doc_id: 1, label_id: 2, note: stored },
    ])
    expect(memRows(r.mem, 'docs_labels')).toEqual([{ doc_id: 1, label_id: 2, note: stored }])
  })
})

describe('item 4: has_one onReplace update given another existing record', () => {
  it('is an OnlyUpdateExisting error, not an update of the current child with the other row', async () => {
    const c = put(
      'permalinkUpdate',
      { ...post1, permalinkUpdate: link1 },
      { id: 2, post_id: 3, url: '/bobs' },
    )
    expect(leftOf(c)).toMatchObject({
      code: 'OnlyUpdateExisting',
      schema: 'post',
      association: 'permalinkUpdate',
    })
    expect(leftOf(c)?.message).toContain('only the existing entry (id 1)')
    // the same for belongs_to with onReplace update
    const b = put('authorUpdate', { ...post1, authorUpdate: { id: 1, name: 'ada' } }, { id: 2, name: 'bob' })
    expect(leftOf(b)).toMatchObject({ code: 'OnlyUpdateExisting', association: 'authorUpdate' })
  })
  it('castAssoc params with another id update the existing entry (Ecto: params are not a record)', async () => {
    const plan = planOf(
      cast('permalinkUpdate', { ...post1, permalinkUpdate: link1 }, { id: '2', url: '/from-form' }),
    )
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await q('select id, post_id, url from permalinks order by id')).toEqual([
      { id: 1, post_id: 1, url: '/from-form' },
      { id: 2, post_id: 3, url: '/bobs' },
    ])
  })
  it('changes without a key, or with the current key, still update the existing entry', async () => {
    const plan = planOf(
      put('permalinkUpdate', { ...post1, permalinkUpdate: link1 }, { id: 1, post_id: 1, url: '/same' }),
    )
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await q('select id, post_id, url from permalinks order by id')).toEqual([
      { id: 1, post_id: 1, url: '/same' },
      { id: 2, post_id: 3, url: '/bobs' },
    ])
  })
})

describe('item 5: putAssoc linking an existing record with changed fields applies both', () => {
  it('has_many: the changed fields are written with the foreign key', async () => {
    const current = await q('select * from comments where post_id = 1 order by id')
    const plan = planOf(
      put('comments', { ...post1, comments: current }, [
        ...current,
        { id: 4, post_id: 2, parent_id: null, body: 'moved' },
      ]),
    )
    expect(Write.toSql(plan)).toEqual([
      {
        text: 'update "comments" as "t0" set "post_id" = $1, "parent_id" = $2, "body" = $3 where "t0"."id" = $4 returning "id", "post_id", "parent_id", "body"',
        params: [1, null, 'moved', 4],
      },
    ])
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await q('select id, post_id, body from comments where id = 4')).toEqual([
      { id: 4, post_id: 1, body: 'moved' },
    ])
  })
  it('many_to_many: the target row is updated and the join row inserted', async () => {
    const c = put('tags', { id: 2, author_id: 1, title: 'again', tags: [{ id: 1, name: 'x' }] }, [
      { id: 1, name: 'x' },
      { id: 2, name: 'why' },
    ])
    const plan = planOf(c)
    expect(plan.steps.map(s => s.note)).toEqual(['post.tags: update', 'post.tags: join row'])
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await q('select name from tags where id = 2')).toEqual([{ name: 'why' }])
    expect(await q('select tag_id, kind from posts_tags where post_id = 2 order by tag_id')).toEqual([
      { tag_id: 1, kind: 'manual' },
      { tag_id: 2, kind: 'manual' },
    ])
  })
  it('belongs_to: an existing parent with changes is updated before the owner points at it', async () => {
    const plan = planOf(
      put('authorNilify', { ...post1, authorNilify: { id: 1, name: 'ada' } }, { id: 2, name: 'b.' }),
    )
    expect(plan.steps.map(s => s.note)).toEqual(['post.authorNilify: update parent', 'update post'])
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(
      await q('select p.author_id, u.name from posts p join users u on u.id = p.author_id where p.id = 1'),
    ).toEqual([{ author_id: 2, name: 'b.' }])
  })
  it('a record given by its key only is linked without touching its other columns', async () => {
    const plan = planOf(put('comments', { ...post1, comments: [] }, [{ id: 4 }]))
    // Only the key is set; every column comes back, so the plan's result holds the whole comment.
    expect(Write.toSql(plan)).toEqual([
      {
        text: 'update "comments" as "t0" set "post_id" = $1 where "t0"."id" = $2 returning "id", "post_id", "parent_id", "body"',
        params: [1, 4],
      },
    ])
  })
})

describe('item 6: belongs_to putAssoc while the change sets the foreign key itself', () => {
  it('a new parent and an explicit other foreign key: ForeignKeyConflict, nothing overridden', async () => {
    const c = pipe(
      Write.change(W, 'post', { ...post1, authorNilify: { id: 1, name: 'ada' } }, { author_id: 3 }),
      Write.putAssoc('authorNilify', { name: 'dee' }),
    )
    const p = E.flatMap(Write.toPlan)(c)
    expect(leftOf(p)).toMatchObject({
      code: 'ForeignKeyConflict',
      schema: 'post',
      association: 'authorNilify',
      column: 'author_id',
    })
    expect(leftOf(p)?.message).toBe(
      "cannot change belongs_to association 'authorNilify' of schema 'post' because there is already a change setting its foreign key 'author_id' to 3",
    )
    // an existing parent with another key than the explicit one, and null with an explicit key, alike
    const other = pipe(
      Write.change(W, 'post', { ...post1, authorNilify: null }, { author_id: 3 }),
      Write.putAssoc('authorNilify', { id: 2 }),
    )
    expect(leftOf(E.flatMap(Write.toPlan)(other))?.code).toBe('ForeignKeyConflict')
  })
  it('the same key both ways is fine, and runs', async () => {
    const c = pipe(
      Write.change(W, 'post', { ...post1, authorNilify: null }, { author_id: 2 }),
      Write.putAssoc('authorNilify', { id: 2 }),
    )
    expect(E.isRight(await both(db.sql, planOf(c)))).toBe(true)
    expect(await q('select author_id from posts where id = 1')).toEqual([{ author_id: 2 }])
  })
})

describe('item 9: castAssoc keys from forms, onReplace messages, a missing key', () => {
  it('id "1" is decoded with the key codec and updates the current child', async () => {
    const c1 = (await q('select * from comments where id = 1'))[0]
    const plan = planOf(cast('comments', { ...post1, comments: [c1] }, [{ id: '1', body: 'A' }]))
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await q('select id, body from comments where id = 1')).toEqual([{ id: 1, body: 'A' }])
  })
  it('an empty or null key is a new entry, as Ecto casts both to nil', async () => {
    for (const id of ['', null]) {
      const c = right(cast('commentsFn', { ...post1, commentsFn: [] }, [{ id, body: 'x' }]))
      expect(c.valid).toBe(true)
      expect(c.associations[0]?.entries.map(e => e._tag)).toEqual(['Insert'])
    }
    const plan = planOf(cast('commentsFn', { ...post1, commentsFn: [] }, [{ id: '', parent_id: '1' }]))
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
    expect(await q('select post_id, parent_id, body from comments where id = 9')).toEqual([
      { post_id: 1, parent_id: 1, body: 're: hello' },
    ])
  })
  it('a key the codec rejects even as a number is an InvalidValue naming the key', () => {
    for (const id of ['abc', '1.5', '99999999999999999999', { id: 1 }]) {
      const c = cast('comments', { ...post1, comments: [] }, [{ id, body: 'x' }])
      expect(leftOf(c)).toMatchObject({
        code: 'InvalidValue',
        schema: 'post',
        association: 'comments',
        column: 'id',
      })
    }
  })
  it('numeric text in other columns is decoded too; other rejected values stay change errors', () => {
    const c = right(
      cast('commentsFn', { ...post1, commentsFn: [] }, [{ parent_id: '2', body: 'x' }, { parent_id: 'two' }]),
    )
    expect(c.errors.map(e => e.path)).toEqual(['commentsFn[1].parent_id'])
    const entry = c.associations[0]?.entries[0]
    expect(entry?._tag === 'Insert' && entry.values['parent_id']).toBe(2)
  })
  it('OnReplaceRaise lists only the options valid for the association kind', async () => {
    const many = put('commentsRaise', { ...post1, commentsRaise: [{ id: 1 }] }, [])
    expect(leftOf(many)?.message).toContain('(mark_as_invalid, nilify, delete, delete_if_exists)')
    const one = put('permalinkRaise', { ...post1, permalinkRaise: link1 }, null)
    expect(leftOf(one)?.message).toContain('(mark_as_invalid, nilify, update, delete, delete_if_exists)')
    const M = Schema.modelOrThrow(
      { post: W.tables.post, tag: W.tables.tag, post_tag: W.tables.post_tag },
      { post: { tags: Schema.manyToMany('tag', { joinThrough: 'posts_tags' }) } },
    )
    const m2m = pipe(
      Write.change(M, 'post', { ...post1, tags: [{ id: 1, name: 'x' }] }),
      Write.putAssoc('tags', []),
    )
    expect(leftOf(m2m)?.message).toContain('(mark_as_invalid, delete)')
  })
  it('castAssoc(name, undefined) is no change when loaded, NotLoaded when not; an unknown association is still an error', () => {
    const loaded = { ...post1, comments: [] }
    const c = Write.change(W, 'post', loaded)
    // No association change; the cast only names the association for the plan's result (as loaded).
    expect(cast('comments', loaded, undefined)).toEqual(E.right({ ...c, named: ['comments'] }))
    // Not loaded, the result (typed with it) would lack it: refused, naming schema and association.
    expect(leftOf(cast('comments', post1, undefined))).toMatchObject({
      code: 'NotLoaded',
      schema: 'post',
      association: 'comments',
    })
    expect(leftOf(cast('nope', post1, undefined))?.code).toBe('UnknownAssociation')
    expect(leftOf(cast('commentAuthors', post1, undefined))?.code).toBe('ReadOnlyAssociation')
  })
})

describe('item 10: preloadInto with rows that are not records', () => {
  const bad: ReadonlyArray<unknown> = [null, undefined, 42, 'row', [post1]]
  it('is a typed InvalidArgument on PostgreSQL (both strategies) and in memory, never a throw', async () => {
    const tables = await dump(db.sql)
    for (const b of bad) {
      const rows = [post1, b] as never
      for (const strategy of ['batched', 'lateral'] as const) {
        const r = await Pg.preloadInto(W, 'post', { comments: true }, { strategy })(rows)(db.sql)()
        expect(E.isLeft(r) && r.left).toMatchObject({
          _tag: 'QueryError',
          code: 'InvalidArgument',
          schema: 'post',
        })
      }
      const m = await Run.preloadInto(W, 'post', { comments: true })(rows)(Memory.interpreter(tables))()
      expect(E.isLeft(m) && m.left).toMatchObject({ code: 'InvalidArgument' })
      expect(E.isLeft(m) && m.left.message).toContain('row 1 is not a record')
    }
    const notList = await Run.preloadInto(W, 'post', { comments: true })(null as never)(
      Memory.interpreter(tables),
    )()
    expect(E.isLeft(notList) && notList.left).toMatchObject({ code: 'InvalidArgument' })
    const good = await Run.preloadInto(W, 'post', { comments: true })([post1])(Memory.interpreter(tables))()
    expect(E.isRight(good) && good.right[0]?.comments.map(c => c.id)).toEqual([1, 2, 3])
  })
})
