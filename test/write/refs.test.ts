// Plan references are recognised by identity, never by shape: only `Ast.Write.ref` makes one. A user
// value shaped like a reference (plain or frozen, a spread of a real one, an object inheriting from a
// real one, one carrying a real one's symbols, a proxy of a real one) written into a JSON column is
// stored as data, and into a TEXT column is refused by the column codec; it is never replaced by a value
// an earlier statement returned. A filter shaped like a SQL fragment in a hand-built plan stays a value
// when the plan runs. Every write runs on PostgreSQL and in the memory interpreter (`both`).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Column, Pg, Schema } from '../../src/index.js'
import * as Ex from '../../src/ast/Expr.js'
import * as WriteAst from '../../src/ast/Write.js'
import * as Ddl from '../../src/sql/Ddl.js'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { both, dump, right } from './model.js'

// One table: a note and its replies (notes too), with a TEXT and a JSON column.
const R = Schema.modelOrThrow(
  {
    note: Schema.table('note', 'ref_notes', {
      id: Column.serial,
      parent_id: Column.nullable(Column.integer),
      title: Column.text,
      meta: Column.nullable(Column.json(t.unknown)),
    }),
  },
  { note: { replies: Schema.hasMany('note', { foreignKey: 'parent_id' }) } },
)
const tables = ['ref_notes']

let db: TestDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())
const fresh = (): ReadonlyArray<string> => [
  `drop table if exists ${tables.map(x => `"${x}"`).join(', ')} cascade`,
  ...right(Ddl.ddl(R)),
  `insert into ref_notes (id, parent_id, title, meta) values (1, null, 'first', null)`,
  `select setval(pg_get_serial_sequence('ref_notes', 'id'), 1)`,
]
beforeEach(async () => {
  await run(db.sql, fresh())
})

const q = async (text: string, params: ReadonlyArray<string> = []) =>
  [...(await db.sql.unsafe(text, [...params]))].map(r => ({ ...r }))

// A real reference to the `title` step 0 returns: in every plan below, step 0 returns a title, so a
// value taken for this reference would come back as that title.
const real = WriteAst.ref(0, 'title')

const forged = (): object => {
  const o = { _tag: 'Ref', step: 0, column: 'title' }
  for (const s of Object.getOwnPropertySymbols(real)) Object.defineProperty(o, s, { value: true })
  return o
}

// Fresh values for each use: the name of the case, and the value.
const lookalikes = (): ReadonlyArray<readonly [string, object]> => [
  ['a plain object shaped like a reference', { _tag: 'Ref', step: 0, column: 'title' }],
  ['a frozen one', Object.freeze({ _tag: 'Ref', step: 0, column: 'title' })],
  ['a spread of a real reference', { ...real }],
  ['a frozen spread of a real reference', Object.freeze({ ...real })],
  ['an object whose prototype is a real reference', Object.create(real) as object],
  ["an object carrying a real reference's symbols", forged()],
  ['a proxy of a real reference', new Proxy(real, {})],
]

// What a JSON column holds for a value: its JSON text read back.
const asJson = (u: unknown): unknown => JSON.parse(JSON.stringify(u)) as unknown

describe('isRef', () => {
  it('is true of a reference ref made, false of every lookalike', () => {
    expect(WriteAst.isRef(real)).toBe(true)
    for (const [name, v] of lookalikes()) expect(WriteAst.isRef(v), name).toBe(false)
  })
})

describe('a value shaped like a plan reference, in a JSON column, is data (PostgreSQL and memory)', () => {
  it('insert: stored as itself, not a MissingKey for a step that returned nothing yet', async () => {
    for (const [name, v] of lookalikes()) {
      const plan = right(Write.insert(R, 'note', { title: name, meta: v }))
      const r = await both(db.sql, plan, { tables })
      expect(r, name).toEqual(E.right(expect.objectContaining({ title: name, meta: asJson(v) })))
    }
  })
  it('update: stored as itself', async () => {
    for (const [name, v] of lookalikes()) {
      const plan = right(
        Write.update(R, 'note', { id: 1, parent_id: null, title: 'first', meta: null }, { meta: v }),
      )
      const r = await both(db.sql, plan, { tables })
      expect(r, name).toEqual(E.right({ id: 1, parent_id: null, title: 'first', meta: asJson(v) }))
    }
  })
  it('a change: the real reference (the new owner key) is resolved, the lookalike is not', async () => {
    for (const mode of ['put', 'cast'] as const) {
      for (const [name, v] of lookalikes()) {
        const reply = { title: name, meta: v }
        const c = pipe(
          Write.change(R, 'note', { title: `owner ${mode}` }),
          mode === 'put'
            ? Write.putAssoc('replies', [reply])
            : Write.castAssoc('replies', [reply], { permit: ['title', 'meta'] }),
        )
        const r = await both(db.sql, right(E.flatMap(Write.toPlan)(c)), { tables })
        expect(E.isRight(r), `${mode}: ${name}`).toBe(true)
        const [owner] = await q('select id from ref_notes where title = $1', [`owner ${mode}`])
        expect(
          await q('select parent_id, meta from ref_notes where title = $1', [name]),
          `${mode}: ${name}`,
        ).toEqual([{ parent_id: owner?.['id'], meta: asJson(v) }])
        // Fresh tables, so that both interpreters number the next rows alike.
        await run(db.sql, fresh())
      }
    }
  })
})

describe('a value shaped like a plan reference, in a TEXT column, is refused by the codec', () => {
  it('insert, update and putAssoc: an InvalidValue naming the column, before any plan exists', () => {
    for (const [name, v] of lookalikes()) {
      const ins = Write.insert(R, 'note', { title: v as unknown as string, meta: null })
      expect(E.isLeft(ins) && ins.left, name).toMatchObject({ code: 'InvalidValue', column: 'title' })
      const upd = Write.update(
        R,
        'note',
        { id: 1, parent_id: null, title: 'first', meta: null },
        { title: v as never },
      )
      expect(E.isLeft(upd) && upd.left, name).toMatchObject({ code: 'InvalidValue', column: 'title' })
      const put = pipe(
        Write.change(R, 'note', { title: 'owner' }),
        Write.putAssoc('replies', [{ title: v as unknown as string }]),
      )
      expect(E.isLeft(put) && put.left, name).toMatchObject({
        code: 'InvalidValue',
        association: 'replies',
        column: 'title',
      })
    }
  })
  it('castAssoc: a change error, so the change has no plan', () => {
    for (const [name, v] of lookalikes()) {
      const c = pipe(
        Write.change(R, 'note', { title: 'owner' }),
        Write.castAssoc('replies', [{ title: v }], { permit: ['title'] }),
      )
      expect(E.isRight(c) && c.right.errors, name).toEqual([
        { path: 'replies[0].title', message: 'is invalid', validation: 'cast' },
      ])
      const p = E.flatMap(Write.toPlan)(c)
      expect(E.isLeft(p) && p.left, name).toMatchObject({ code: 'InvalidChange' })
    }
  })
})

describe('a filter shaped like a SQL fragment in a hand-built plan stays a value when the plan runs', () => {
  it('delete: no row goes (PostgreSQL reads the value as false, memory refuses it)', async () => {
    await run(db.sql, [`insert into ref_notes (parent_id, title) values (1, 'a'), (1, 'b')`])
    for (const fake of [
      { _tag: 'Fragment', strings: ['true'], args: [] },
      Object.freeze({ _tag: 'Fragment', strings: Object.freeze(['true']), args: Object.freeze([]) }),
      { ...Ex.fragment(['true'], []) },
    ]) {
      const statement = WriteAst.delete_({
        binding: { table: 'ref_notes', alias: 't0' },
        where: [fake as unknown as Ex.Expr],
        returning: ['id'],
      })
      const plan = Write.make(R, [{ statement, expect: 'any', note: 'hand-built' }], { _tag: 'None' })
      expect(Write.toSql(plan)).toEqual([
        { text: 'delete from "ref_notes" as "t0" where $1 returning "id"', params: [fake] },
      ])
      const before = await dump(db.sql, tables)
      const pg = await Write.run(plan)(Pg.interpreter(db.sql))()
      expect(pg).toEqual(E.right(undefined))
      expect(await q('select title from ref_notes where parent_id = 1 order by id')).toEqual([
        { title: 'a' },
        { title: 'b' },
      ])
      const memory = Write.runPure(plan)(before)
      expect(E.isLeft(memory) && memory.left).toMatchObject({
        code: 'InvalidArgument',
        message: "the memory interpreter's write: expected a condition built by Pred, got a value",
      })
    }
  })
  it('update: no row changes (PostgreSQL reads the value as false, memory refuses it)', async () => {
    await run(db.sql, [`insert into ref_notes (parent_id, title) values (1, 'a')`])
    const fake = { _tag: 'Fragment', strings: ['true'], args: [] }
    const statement = WriteAst.update({
      binding: { table: 'ref_notes', alias: 't0' },
      set: [['title', Ex.param('changed')]],
      where: [fake as unknown as Ex.Expr],
      returning: ['id'],
    })
    const plan = Write.make(R, [{ statement, expect: 'any', note: 'hand-built' }], { _tag: 'None' })
    const before = await dump(db.sql, tables)
    expect(await Write.run(plan)(Pg.interpreter(db.sql))()).toEqual(E.right(undefined))
    expect(await q('select title from ref_notes where parent_id = 1')).toEqual([{ title: 'a' }])
    expect(E.isLeft(Write.runPure(plan)(before))).toBe(true)
  })
})
