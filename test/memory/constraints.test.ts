// The memory interpreter enforces what Ddl declares and stores values as PostgreSQL does (issue 13
// items 7, 12, 17, 18): every case runs on PostgreSQL (tables from Ddl.ddl) and on Memory.storeOf over
// the same rows; both give the same result or the same error kind, and leave the same tables.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as Expr from '../../src/ast/Expr.js'
import * as W from '../../src/ast/Write.js'
import * as Constraints from '../../src/interpreter/memory/Constraints.js'
import type { Interpreter, RawRow } from '../../src/run/Interpreter.js'
import * as Run from '../../src/run/Run.js'
import { Column, Memory, Pg, Pred, Query, Schema } from '../../src/index.js'
import * as Ddl from '../../src/sql/Ddl.js'
import * as Write from '../../src/write/Write.js'
import { cpuClock } from '../support/cpu.js'
import { connect, type TestDb } from '../support/db.js'

const user = Schema.table('user', 'users', {
  id: Column.serial,
  name: Column.text,
  score: Column.nullable(Column.double),
})
const post = Schema.table('post', 'posts', {
  id: Column.serial,
  author_id: Column.integer,
  title: Column.text,
})
const comment = Schema.table('comment', 'comments', {
  id: Column.serial,
  post_id: Column.integer,
  body: Column.text,
})
const note = Schema.table('note', 'notes', { id: Column.serial, post_id: Column.nullable(Column.integer) })
const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
const tagging = Schema.table('tagging', 'taggings', {
  id: Column.serial,
  post_id: Column.integer,
  tag_id: Column.integer,
})
const M = Schema.modelOrThrow(
  { user, post, comment, note, tag, tagging },
  {
    user: { posts: Schema.hasMany('post', { foreignKey: 'author_id' }) },
    post: {
      comments: Schema.hasMany('comment', { onDelete: 'delete_all' }),
      notes: Schema.hasMany('note', { onDelete: 'nilify_all' }),
      tags: Schema.manyToMany('tag', { joinThrough: 'tagging' }),
    },
  },
)
const names = ['users', 'posts', 'comments', 'notes', 'tags', 'taggings'] as const

const seed: ReadonlyMap<string, ReadonlyArray<RawRow>> = new Map<string, ReadonlyArray<RawRow>>([
  [
    'users',
    [
      { id: 1, name: 'ada', score: 1.5 },
      { id: 2, name: 'bob', score: null },
    ],
  ],
  [
    'posts',
    [
      { id: 1, author_id: 1, title: 'one' },
      { id: 2, author_id: 1, title: 'two' },
    ],
  ],
  [
    'comments',
    [
      { id: 1, post_id: 1, body: 'a' },
      { id: 2, post_id: 2, body: 'b' },
    ],
  ],
  [
    'notes',
    [
      { id: 1, post_id: 1 },
      { id: 2, post_id: 2 },
    ],
  ],
  ['tags', [{ id: 1, name: 'x' }]],
  ['taggings', [{ id: 1, post_id: 1, tag_id: 1 }]],
])

let db: TestDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())

let mem: Memory.Store
beforeEach(async () => {
  const ddl = Ddl.ddl(M)
  if (E.isLeft(ddl)) throw new Error(ddl.left.message)
  await db.sql.unsafe(`drop table if exists ${names.map(n => `"${n}"`).join(', ')} cascade`)
  for (const s of ddl.right) await db.sql.unsafe(s)
  for (const n of names)
    for (const r of seed.get(n) ?? []) {
      const cols = Object.keys(r)
      await db.sql.unsafe(
        `insert into "${n}" (${cols.map(c => `"${c}"`).join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
        cols.map(c => r[c]) as Array<never>,
      )
    }
  for (const n of names)
    await db.sql.unsafe(`select setval(pg_get_serial_sequence($1, 'id'), (select max(id) from "${n}"))`, [n])
  const s = Memory.storeOf(M, seed)
  if (E.isLeft(s)) throw new Error(s.left.message)
  mem = s.right
})

const sortRows = (rows: ReadonlyArray<RawRow>) =>
  [...rows]
    .map(r =>
      JSON.stringify(
        Object.fromEntries(
          Object.keys(r)
            .sort()
            .map(k => [k, r[k]]),
        ),
      ),
    )
    .sort()

const pgTables = async () => {
  const out: Record<string, ReadonlyArray<string>> = {}
  for (const n of names) out[n] = sortRows(await db.sql.unsafe(`select * from "${n}"`))
  return out
}
const memTables = () => {
  const out: Record<string, ReadonlyArray<string>> = {}
  for (const n of names) out[n] = sortRows(mem.tables().get(n) ?? [])
  return out
}

const kindOf = (r: E.Either<unknown, unknown>) =>
  E.isLeft(r) ? (r.left as { readonly kind?: unknown }).kind : 'Right'

// Runs a plan on both; returns PostgreSQL's result after checking that memory agrees.
const both = async <A>(plan: Write.Plan<A>) => {
  const pgBefore = await pgTables()
  const memBefore = memTables()
  expect(memBefore).toEqual(pgBefore)
  const pg = await Write.run(plan)(Pg.interpreter(db.sql))()
  const m = await Write.run(plan)(mem.interpreter)()
  expect(kindOf(m)).toEqual(kindOf(pg))
  const after = await pgTables()
  expect(memTables()).toEqual(after)
  if (E.isLeft(pg)) expect(after).toEqual(pgBefore)
  return { pg, memory: m }
}

const plan = (...statements: ReadonlyArray<W.Write>) =>
  Write.make<unknown>(
    M,
    statements.map((statement, i) => ({ statement, expect: 'any' as const, note: `step ${i}` })),
    { _tag: 'None' },
  )

const ins = (table: string, row: Readonly<Record<string, unknown>>) =>
  W.insert({
    table,
    columns: Object.keys(row),
    rows: [Object.values(row).map(v => Expr.param(v))],
    generated: ['id'],
    key: ['id'],
    onConflict: 'raise',
    returning: ['id'],
  })
const del = (table: string, id: number) =>
  W.delete_({
    binding: { table, alias: 't0' },
    where: [Expr.eq(Expr.column('t0', 'id'), Expr.param(id))],
    returning: ['id'],
  })
const upd = (table: string, id: number, set: Readonly<Record<string, unknown>>) =>
  W.update({
    binding: { table, alias: 't0' },
    set: Object.entries(set).map(([c, v]) => [c, Expr.param(v)] as const),
    where: [Expr.eq(Expr.column('t0', 'id'), Expr.param(id))],
    returning: ['id'],
  })

const ids = async (i: Interpreter, q: Query.AnyQuery) => {
  const r = await Run.all(q)(i)()
  if (E.isLeft(r)) return kindOf(r)
  return (r.right as ReadonlyArray<{ readonly id: number }>).map(x => x.id)
}
const same = async (q: Query.AnyQuery) => {
  const pg = await ids(Pg.interpreter(db.sql), q)
  expect(await ids(mem.interpreter, q)).toEqual(pg)
  return pg
}

describe('Constraints.fromModel', () => {
  it('matches the catalog of the database Ddl.ddl builds (not null, keys, foreign keys, actions)', async () => {
    const c = Constraints.fromModel(M)
    if (E.isLeft(c)) throw new Error(c.left.message)
    const notNull = await db.sql.unsafe(
      `select table_name as t, column_name as c from information_schema.columns
       where table_schema = current_schema() and is_nullable = 'NO'`,
    )
    const fromPg = notNull.map(r => `${r['t']}.${r['c']}`).sort()
    const fromMem = [...c.right.tables].flatMap(([t, tc]) => tc.notNull.map(n => `${t}.${n}`)).sort()
    expect(fromMem).toEqual(fromPg)
    const fks = await db.sql.unsafe(
      `select conrelid::regclass::text as t, a.attname as c, confrelid::regclass::text as r, confdeltype as d
       from pg_constraint k join pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1]
       where contype = 'f' and connamespace = current_schema()::regnamespace`,
    )
    const action = { a: 'no action', c: 'cascade', n: 'set null' } as Record<string, string>
    expect(fks.map(r => `${r['t']}.${r['c']}->${r['r']} ${action[String(r['d'])]}`).sort()).toEqual(
      c.right.foreignKeys.map(fk => `${fk.table}.${fk.column}->${fk.references} ${fk.onDelete}`).sort(),
    )
    expect(c.right.foreignKeys.length).toBe(5)
  })
})

describe('memory enforces the constraints Ddl declares, with the error kind PostgreSQL gives', () => {
  it('deleting a referenced row (no action) is a ForeignKeyViolation on both, nothing changed', async () => {
    const r = await both(plan(del('users', 1)))
    expect(kindOf(r.pg)).toBe('ForeignKeyViolation')
  })

  it('a dangling foreign key on insert and on update is a ForeignKeyViolation', async () => {
    expect(kindOf((await both(plan(ins('posts', { author_id: 99, title: 't' })))).pg)).toBe(
      'ForeignKeyViolation',
    )
    expect(kindOf((await both(plan(upd('posts', 1, { author_id: 99 })))).pg)).toBe('ForeignKeyViolation')
    expect(kindOf((await both(plan(upd('users', 1, { id: 50 })))).pg)).toBe('ForeignKeyViolation')
  })

  it('NULL in a NOT NULL column (given, or by set null) is a NotNullViolation', async () => {
    expect(kindOf((await both(plan(ins('users', { name: null })))).pg)).toBe('NotNullViolation')
    expect(kindOf((await both(plan(upd('posts', 1, { title: null })))).pg)).toBe('NotNullViolation')
  })

  it('a duplicate primary key is a UniqueViolation; on conflict do nothing skips it', async () => {
    expect(kindOf((await both(plan(ins('users', { id: 1, name: 'again' })))).pg)).toBe('UniqueViolation')
    expect(kindOf((await both(plan(upd('users', 2, { id: 1 })))).pg)).toBe('UniqueViolation')
    const skip = W.insert({ ...ins('users', { id: 1, name: 'again' }), onConflict: 'nothing' })
    expect(kindOf((await both(plan(skip))).pg)).toBe('Right')
  })

  it('a failure at statement k rolls back statements before k, on both', async () => {
    const steps = [
      ins('tags', { name: 'new' }),
      ins('users', { name: 'eve' }),
      upd('posts', 2, { title: 'x' }),
    ]
    for (let k = 0; k <= steps.length; k++) {
      const failing = [...steps.slice(0, k), del('users', 1), ...steps.slice(k)]
      expect(kindOf((await both(plan(...failing))).pg)).toBe('ForeignKeyViolation')
    }
  })

  it('delete cascades (delete_all) and sets null (nilify_all) as the foreign keys say', async () => {
    const r = await both(plan(del('posts', 1)))
    expect(kindOf(r.pg)).toBe('ForeignKeyViolation') // the tagging row still points at it (no action)
    const ok = await both(plan(del('taggings', 1), del('posts', 1)))
    expect(kindOf(ok.pg)).toBe('Right')
    expect(memTables()['comments']).toHaveLength(1)
    expect(mem.tables().get('notes')).toContainEqual({ id: 1, post_id: null })
  })

  it('an unknown column is an UndefinedColumn on both', async () => {
    expect(kindOf((await both(plan(ins('users', { name: 'x', nope: 1 })))).pg)).toBe('UndefinedColumn')
  })
})

describe('generated keys (item 7)', () => {
  it('a many-to-many join schema with a serial key: memory numbers the join row as PostgreSQL does', async () => {
    const p = pipe(
      Write.change(M, 'post', { id: 2, author_id: 1, title: 'two', tags: [] }),
      Write.putAssoc('tags', [{ name: 'fresh' }, { name: 'other' }]),
      E.flatMap(Write.toPlan),
    )
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left))
    expect(kindOf((await both(p.right)).pg)).toBe('Right')
    const joins = mem.tables().get('taggings') ?? []
    expect(joins.map(r => r['id'])).toEqual([1, 2, 3])
  })

  it('the sequence is not reused after a delete, nor rolled back with a failed plan', async () => {
    await both(plan(ins('tags', { name: 'a' }), del('tags', 2)))
    await both(plan(ins('tags', { name: 'b' }), del('users', 1)))
    await both(plan(ins('tags', { name: 'c' })))
    expect((mem.tables().get('tags') ?? []).map(r => r['id'])).toEqual([1, 4])
  })
})

describe('values as PostgreSQL stores them (item 18)', () => {
  it('NaN in a double column: above every number, equal to itself, ordered last before NULL', async () => {
    await both(
      plan(ins('users', { name: 'nan', score: NaN }), ins('users', { name: 'inf', score: -Infinity })),
    )
    const users = Query.from(M, 'user')
    expect(
      await same(
        pipe(
          users,
          Query.where(u => Pred.gt(u.score, 1)),
        ),
      ),
    ).toEqual([1, 3])
    expect(
      await same(
        pipe(
          users,
          Query.where(u => Pred.eq(u.score, NaN)),
        ),
      ),
    ).toEqual([3])
    expect(await same(pipe(users, Query.orderBy([['asc', 'score'], 'id'])))).toEqual([4, 1, 3, 2])
    expect(await same(pipe(users, Query.orderBy([['desc', 'score'], 'id'])))).toEqual([2, 3, 1, 4])
  })

  it('a NUL byte in text is refused by both (22021), in a write and in a filter', async () => {
    const r = await both(plan(ins('users', { name: 'a\u0000b' })))
    expect(E.isLeft(r.pg) && r.pg.left).toMatchObject({ kind: 'DataException', code: '22021' })
    expect(E.isLeft(r.memory) && r.memory.left).toMatchObject({ kind: 'DataException', code: '22021' })
    const q = pipe(
      Query.from(M, 'user'),
      Query.where(u => Pred.eq(u.name, 'a\u0000')),
    )
    expect(await same(q)).toBe('DataException')
  })

  it('a lone surrogate in text is stored and compared as U+FFFD by both', async () => {
    await both(plan(ins('users', { name: 'x\ud800y' })))
    expect((mem.tables().get('users') ?? []).map(r => r['name'])).toContain('x\ufffdy')
    const q = pipe(
      Query.from(M, 'user'),
      Query.where(u => Pred.eq(u.name, 'x\udc00y')),
    )
    expect(await same(q)).toEqual([3])
  })
})

describe('a long or (item 12)', () => {
  it('70,000 equalities evaluate in memory in seconds; 20,000 agree with PostgreSQL', async () => {
    const users = Query.from(M, 'user')
    const q = (n: number) =>
      pipe(
        users,
        Query.where(u => Pred.or(...Array.from({ length: n }, (_, i) => Pred.eq(u.id, 2 * i)))),
      )
    // CPU time (./support/cpu.ts): linear evaluation takes well under a second of it.
    const evaluation = cpuClock()
    const r = await Run.all(q(70_000))(mem.interpreter)()
    expect(evaluation()).toBeLessThan(5_000)
    expect(E.map((rows: ReadonlyArray<{ readonly id: number }>) => rows.map(x => x.id))(r)).toEqual(
      E.right([2]),
    )
    const filter = Expr.or(
      Array.from({ length: 70_000 }, (_, i) => Expr.eq(Expr.column('t0', 'id'), Expr.param(2 * i))),
    )
    const update = cpuClock()
    const w = await Write.run(
      plan(
        W.update({
          binding: { table: 'users', alias: 't0' },
          set: [['name', Expr.param('z')]],
          where: [filter],
          returning: ['id'],
        }),
      ),
    )(mem.interpreter)()
    expect(update()).toBeLessThan(5_000)
    expect(kindOf(w)).toBe('Right')
    expect((mem.tables().get('users') ?? []).filter(u => u['name'] === 'z').map(u => u['id'])).toEqual([2])
    expect(await same(q(20_000))).toEqual([2])
  })
})
