// Optimistic locking (issue 16): a table's `optimisticLock` column is checked by every update and delete
// a plan makes (`where "lock_version" = $old`) and bumped by every update (`"lock_version" = old + 1`);
// a row whose version moved on is a StaleEntry naming its schema, the whole plan rolled back, the same
// on PostgreSQL and on the memory semantics (`both`). Also: StaleEntry names its schema everywhere.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Column, Schema } from '../../src/index.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import * as Ddl from '../../src/sql/Ddl.js'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { both, fresh, right, W } from './model.js'

const doc = Schema.table(
  'doc',
  'lock_docs',
  { id: Column.serial, title: Column.text, lock_version: Column.integer },
  { optimisticLock: 'lock_version' },
)
const note = Schema.table(
  'note',
  'lock_notes',
  {
    id: Column.serial,
    doc_id: Column.nullable(Column.integer),
    body: Column.text,
    lock_version: Column.integer,
  },
  { optimisticLock: 'lock_version' },
)
const L = Schema.modelOrThrow(
  { doc, note },
  {
    doc: {
      notes: Schema.hasMany('note', { onReplace: 'delete', onDelete: 'delete_all' }),
      notesNilify: Schema.hasMany('note', { onReplace: 'nilify' }),
    },
    note: { doc: Schema.belongsTo('doc', { onReplace: 'update' }) },
  },
)
const names = ['lock_docs', 'lock_notes']

let db: TestDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())
beforeEach(async () => {
  await run(db.sql, [
    'drop table if exists lock_notes, lock_docs cascade',
    ...right(Ddl.ddl(L)),
    `insert into lock_docs (id, title, lock_version) values (1, 'one', 1), (2, 'two', 5)`,
    `insert into lock_notes (id, doc_id, body, lock_version) values (1, 1, 'a', 1), (2, 1, 'b', 3), (3, 2, 'c', 1)`,
    `select setval(pg_get_serial_sequence('lock_docs', 'id'), 2)`,
    `select setval(pg_get_serial_sequence('lock_notes', 'id'), 3)`,
  ])
})

const q = async (text: string): Promise<ReadonlyArray<RawRow>> =>
  [...(await db.sql.unsafe(text))].map(r => ({ ...r }))
const leftOf = (e: E.Either<unknown, unknown>): Record<string, unknown> | null =>
  E.isLeft(e) ? (e.left as Record<string, unknown>) : null
const doc1 = { id: 1, title: 'one', lock_version: 1 }
const notes1 = [
  { id: 1, doc_id: 1, body: 'a', lock_version: 1 },
  { id: 2, doc_id: 1, body: 'b', lock_version: 3 },
]
const bump = (table: string, id: number) =>
  db.sql.unsafe(`update ${table} set lock_version = lock_version + 1 where id = ${id}`)
const runBoth = (plan: Write.Plan<unknown>) => both(db.sql, plan, { tables: names })

describe('the table option', () => {
  it('names a NOT NULL integer column outside the primary key; anything else is a problem naming it', () => {
    expect(doc.optimisticLock).toBe('lock_version')
    expect(Schema.table('x', 'xs', { id: Column.serial }).optimisticLock).toBeNull()
    const bad = (columns: Record<string, Column.Column<unknown>>, lock: string) =>
      Schema.table('x', 'xs', { id: Column.serial, ...columns }, { optimisticLock: lock as never }).problems
    expect(bad({}, 'v')[0]).toMatchObject({ schema: 'x', option: 'optimisticLock' })
    expect(bad({}, 'v')[0]?.message).toContain("optimistic lock column 'v' is not a column")
    expect(bad({ v: Column.text as Column.Column<unknown> }, 'v')[0]?.message).toContain(
      'is not an integer column',
    )
    expect(bad({ v: Column.bigint as Column.Column<unknown> }, 'v')[0]?.message).toContain(
      'is not an integer column',
    )
    expect(bad({ v: Column.nullable(Column.integer) as Column.Column<unknown> }, 'v')[0]?.message).toContain(
      'is nullable',
    )
    expect(bad({}, 'id')[0]?.message).toContain('is part of the primary key')
    expect(
      E.isLeft(
        Schema.model({ x: Schema.table('x', 'xs', { id: Column.serial }, { optimisticLock: 'id' }) }, {}),
      ),
    ).toBe(true)
  })
  it('Ddl.ddl emits the column as the integer column it is', () => {
    expect(right(Ddl.ddl(L))[0]).toContain('"lock_version" integer not null')
  })
})

describe('Write.update and Write.delete', () => {
  it('update checks the version and bumps it; the result carries the new version; PostgreSQL = memory', async () => {
    const plan = right(Write.update(L, 'doc', doc1, { title: 'ONE' }))
    expect(Write.toSql(plan)).toEqual([
      {
        text: 'update "lock_docs" as "t0" set "title" = $1, "lock_version" = $2 where "t0"."id" = $3 and "t0"."lock_version" = $4 returning "id", "title", "lock_version"',
        params: ['ONE', 2, 1, 1],
      },
    ])
    expect(await runBoth(plan)).toEqual(E.right({ id: 1, title: 'ONE', lock_version: 2 }))
    // the same row again: its version moved on, a StaleEntry naming the schema, nothing written
    const stale = await runBoth(right(Write.update(L, 'doc', doc1, { title: 'lost update' })))
    expect(leftOf(stale)).toMatchObject({ _tag: 'WriteError', code: 'StaleEntry', schema: 'doc' })
    expect(await q('select title, lock_version from lock_docs where id = 1')).toEqual([
      { title: 'ONE', lock_version: 2 },
    ])
  })
  it('with no changes the update still checks and bumps the version', async () => {
    const plan = right(Write.update(L, 'doc', doc1, {}))
    expect(Write.toSql(plan)[0]?.text).toBe(
      'update "lock_docs" as "t0" set "lock_version" = $1 where "t0"."id" = $2 and "t0"."lock_version" = $3 returning "id", "title", "lock_version"',
    )
    expect(await runBoth(plan)).toEqual(E.right({ ...doc1, lock_version: 2 }))
  })
  it('a version given in the changes (the one a form was loaded at) is the one checked', async () => {
    await bump('lock_docs', 1)
    // the row as loaded now says 2, the form was filled at 1: stale
    const formAt1 = await runBoth(
      right(Write.update(L, 'doc', { ...doc1, lock_version: 2 }, { title: 'x', lock_version: 1 })),
    )
    expect(leftOf(formAt1)).toMatchObject({ code: 'StaleEntry', schema: 'doc' })
    const formAt2 = await runBoth(
      right(Write.update(L, 'doc', { ...doc1, lock_version: 2 }, { title: 'x', lock_version: 2 })),
    )
    expect(formAt2).toEqual(E.right({ id: 1, title: 'x', lock_version: 3 }))
  })
  it('delete checks the version; a stale one rolls back the onDelete statements too', async () => {
    const plan = right(Write.delete(L, 'doc', doc1))
    expect(Write.toSql(plan).map(s => s.text)).toEqual([
      'delete from "lock_notes" as "t1" where "t1"."doc_id" = $1 returning "doc_id"',
      'delete from "lock_docs" as "t0" where "t0"."id" = $1 and "t0"."lock_version" = $2 returning "id", "title", "lock_version"',
    ])
    await bump('lock_docs', 1)
    const stale = await runBoth(plan)
    expect(leftOf(stale)).toMatchObject({ code: 'StaleEntry', schema: 'doc' })
    expect(await q('select id from lock_notes where doc_id = 1 order by id')).toEqual([{ id: 1 }, { id: 2 }])
    expect(await runBoth(right(Write.delete(L, 'doc', { ...doc1, lock_version: 2 })))).toEqual(
      E.right({ ...doc1, lock_version: 2 }),
    )
    expect(await q('select id from lock_docs')).toEqual([{ id: 2 }])
  })
  it('a row without its version, or with one that is no integer, is an error naming the column', () => {
    const missing = Write.update(L, 'doc', { id: 1, title: 'one' } as never, { title: 'x' })
    expect(leftOf(missing)).toMatchObject({ code: 'MissingKey', schema: 'doc', column: 'lock_version' })
    expect(leftOf(Write.delete(L, 'doc', { id: 1, title: 'one' } as never))).toMatchObject({
      code: 'MissingKey',
      column: 'lock_version',
    })
    const text = Write.update(L, 'doc', { ...doc1, lock_version: 'one' } as never, {})
    expect(leftOf(text)).toMatchObject({ code: 'InvalidValue', schema: 'doc', column: 'lock_version' })
  })
  it('an insert that leaves the version out starts it at 1', async () => {
    const plan = right(Write.insert(L, 'doc', { title: 'three' } as never))
    expect(Write.toSql(plan)[0]).toEqual({
      text: 'insert into "lock_docs" ("title", "lock_version") values ($1, $2) returning "id", "title", "lock_version"',
      params: ['three', 1],
    })
    expect(await runBoth(plan)).toEqual(E.right({ id: 3, title: 'three', lock_version: 1 }))
  })
})

describe('change plans', () => {
  const loaded = { ...doc1, notes: notes1 }
  const permit = { permit: ['id', 'body'] } as const
  it('the owner is checked and bumped, each updated child too; PostgreSQL = memory', async () => {
    const plan = right(
      pipe(
        Write.change(L, 'doc', loaded),
        Write.castAssoc('notes', [{ id: 1, body: 'A' }, { id: 2 }, { body: 'new' }], permit),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    expect(Write.toSql(plan)).toEqual([
      {
        text: 'update "lock_docs" as "t0" set "lock_version" = $1 where "t0"."id" = $2 and "t0"."lock_version" = $3 returning "id", "title", "lock_version"',
        params: [2, 1, 1],
      },
      {
        text: 'update "lock_notes" as "t0" set "body" = $1, "lock_version" = $2 where "t0"."id" = $3 and "t0"."lock_version" = $4 returning "id", "doc_id", "body", "lock_version"',
        params: ['A', 2, 1, 1],
      },
      {
        text: 'insert into "lock_notes" ("body", "doc_id", "lock_version") values ($1, $2, $3) returning "id", "doc_id", "body", "lock_version"',
        params: ['new', 1, 1],
      },
    ])
    expect(plan.steps.map(s => s.schema)).toEqual(['doc', 'note', 'note'])
    expect(E.isRight(await runBoth(plan))).toBe(true)
    expect(await q('select id, body, lock_version from lock_notes where doc_id = 1 order by id')).toEqual([
      { id: 1, body: 'A', lock_version: 2 },
      { id: 2, body: 'b', lock_version: 3 },
      { id: 4, body: 'new', lock_version: 1 },
    ])
    expect(await q('select lock_version from lock_docs where id = 1')).toEqual([{ lock_version: 2 }])
  })
  it('a child changed meanwhile: StaleEntry naming its schema, and the owner bump is rolled back', async () => {
    const plan = right(
      pipe(
        Write.change(L, 'doc', loaded),
        Write.castAssoc('notes', [{ id: 1, body: 'A' }, { id: 2 }], permit),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    await bump('lock_notes', 1)
    const before = await q('select * from lock_notes order by id')
    const r = await runBoth(plan)
    expect(leftOf(r)).toMatchObject({ code: 'StaleEntry', schema: 'note' })
    expect(String(leftOf(r)?.['message'])).toContain("(schema 'note')")
    expect(await q('select lock_version from lock_docs where id = 1')).toEqual([{ lock_version: 1 }])
    expect(await q('select * from lock_notes order by id')).toEqual(before)
  })
  it('the owner changed meanwhile: StaleEntry naming it, even when only its associations change', async () => {
    const plan = right(
      pipe(
        Write.change(L, 'doc', loaded),
        Write.castAssoc('notes', [{ id: 1 }, { id: 2 }, { body: 'new' }], permit),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    await bump('lock_docs', 1)
    expect(leftOf(await runBoth(plan))).toMatchObject({ code: 'StaleEntry', schema: 'doc' })
    expect(await q('select count(*)::int as n from lock_notes')).toEqual([{ n: 3 }])
  })
  it('a replaced child is deleted only at its version; nilify checks and bumps it', async () => {
    const del = right(
      pipe(
        Write.change(L, 'doc', loaded),
        Write.castAssoc('notes', [{ id: 1 }], permit),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    expect(Write.toSql(del)[1]?.text).toBe(
      'delete from "lock_notes" as "t0" where "t0"."id" = $1 and "t0"."lock_version" = $2 returning "id"',
    )
    await bump('lock_notes', 2)
    expect(leftOf(await runBoth(del))).toMatchObject({ code: 'StaleEntry', schema: 'note' })
    const nilify = right(
      pipe(
        Write.change(L, 'doc', {
          ...doc1,
          notesNilify: notes1.map(n => (n.id === 2 ? { ...n, lock_version: 4 } : n)),
        }),
        Write.putAssoc('notesNilify', [notes1[0] as Record<string, unknown>]),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    expect(Write.toSql(nilify)[1]).toEqual({
      text: 'update "lock_notes" as "t0" set "doc_id" = $1, "lock_version" = $2 where "t0"."id" = $3 and "t0"."lock_version" = $4 returning "id", "doc_id", "body", "lock_version"',
      params: [null, 5, 2, 4],
    })
    expect(E.isRight(await runBoth(nilify))).toBe(true)
    expect(await q('select doc_id, lock_version from lock_notes where id = 2')).toEqual([
      { doc_id: null, lock_version: 5 },
    ])
  })
  it('linking an existing versioned record needs its version, and checks it', async () => {
    const link = (extra: Record<string, unknown>) =>
      pipe(
        Write.change(L, 'doc', { ...doc1, notesNilify: notes1 }),
        Write.putAssoc('notesNilify', [...notes1, { id: 3, ...extra }]),
        E.flatMap(c => Write.toPlan(c)),
      )
    expect(leftOf(link({}))).toMatchObject({ code: 'MissingKey', schema: 'note', column: 'lock_version' })
    await bump('lock_notes', 3)
    // loaded at version 1, now at 2: StaleEntry naming the note, the owner bump rolled back
    expect(leftOf(await runBoth(right(link({ lock_version: 1 }))))).toMatchObject({
      code: 'StaleEntry',
      schema: 'note',
    })
    expect(await q('select lock_version from lock_docs where id = 1')).toEqual([{ lock_version: 1 }])
    const plan = right(link({ lock_version: 2 }))
    expect(Write.toSql(plan)[1]).toEqual({
      // Given in part (key and version), the note comes back whole: every column is returned.
      text: 'update "lock_notes" as "t0" set "doc_id" = $1, "lock_version" = $2 where "t0"."id" = $3 and "t0"."lock_version" = $4 returning "id", "doc_id", "body", "lock_version"',
      params: [1, 3, 3, 2],
    })
    expect(E.isRight(await runBoth(plan))).toBe(true)
    expect(await q('select doc_id, lock_version from lock_notes where id = 3')).toEqual([
      { doc_id: 1, lock_version: 3 },
    ])
  })
  it('a belongs_to parent updated in place is checked and bumped', async () => {
    const n = { ...(notes1[0] as Record<string, unknown>), doc: doc1 }
    const plan = right(
      pipe(
        Write.change(L, 'note', n),
        Write.castAssoc('doc', { title: 'via note' }, { permit: ['title'] }),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    expect(Write.toSql(plan)[0]?.text).toBe(
      'update "lock_docs" as "t0" set "title" = $1, "lock_version" = $2 where "t0"."id" = $3 and "t0"."lock_version" = $4 returning "id", "title", "lock_version"',
    )
    expect(E.isRight(await runBoth(plan))).toBe(true)
    expect(await q('select title, lock_version from lock_docs where id = 1')).toEqual([
      { title: 'via note', lock_version: 2 },
    ])
  })
})

describe('StaleEntry names its schema wherever it is produced', () => {
  beforeEach(async () => {
    await run(db.sql, fresh())
  })
  it('an update of a row that is gone', async () => {
    const r = await both(
      db.sql,
      right(Write.update(W, 'post', { id: 99, author_id: null, title: 'x' }, { title: 'y' })),
    )
    expect(leftOf(r)).toMatchObject({ code: 'StaleEntry', schema: 'post' })
  })
  it('a replaced child deleted meanwhile', async () => {
    const current = [...(await db.sql.unsafe('select * from comments where post_id = 2'))].map(r => ({
      ...r,
    }))
    const plan = right(
      pipe(
        Write.change(W, 'post', { id: 2, author_id: 1, title: 'again', commentsDelete: current }),
        Write.putAssoc('commentsDelete', []),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    await db.sql.unsafe('delete from comments where post_id = 2')
    expect(leftOf(await both(db.sql, plan))).toMatchObject({ code: 'StaleEntry', schema: 'comment' })
  })
  it('a hand-made step without a schema: the model schema of its table', () => {
    const plan = right(Write.update(W, 'tag', { id: 99, name: 'x' }, { name: 'y' }))
    const bare = Write.make<unknown>(
      W,
      plan.steps.map(({ schema: _, ...s }) => s),
      plan.output,
    )
    const r = Write.runPure(bare)(new Map([['tags', []]]))
    expect(leftOf(r)).toMatchObject({ code: 'StaleEntry', schema: 'tag' })
  })
})
