// Write.runPure enforces the model's constraints and numbers generated keys as PostgreSQL does (issue 13
// item 17, invariant 9): with `{ constraints: 'model' }` a plan that violates NOT NULL, a key or a foreign
// key is a Left with the DbError kind PostgreSQL gives for the same plan over the same rows (tables from
// Ddl.ddl), the input tables untouched; sequences are carried from step to step and from run to run.
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as Expr from '../../src/ast/Expr.js'
import * as W from '../../src/ast/Write.js'
import * as Constraints from '../../src/interpreter/memory/Constraints.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import { Column, Ddl, Pg, Schema, Write } from '../../src/index.js'
import { connect, run, type TestDb } from '../support/db.js'

const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
const post = Schema.table('post', 'posts', {
  id: Column.serial,
  author_id: Column.integer,
  title: Column.text,
})
const M = Schema.modelOrThrow(
  { user, post },
  { user: { posts: Schema.hasMany('post', { foreignKey: 'author_id' }) } },
)

const seed: ReadonlyMap<string, ReadonlyArray<RawRow>> = new Map<string, ReadonlyArray<RawRow>>([
  ['users', [{ id: 1, name: 'ada' }]],
  ['posts', [{ id: 1, author_id: 1, title: 'hello' }]],
])

let db: TestDb
beforeAll(async () => {
  db = await connect()
  const ddl = Ddl.ddl(M)
  if (E.isLeft(ddl)) throw new Error(ddl.left.message)
  await run(db.sql, ddl.right)
})
afterAll(async () => db.close())
beforeEach(async () => {
  await db.sql`truncate posts, users restart identity cascade`
  await db.sql`insert into users (name) values ('ada')`
  await db.sql`insert into posts (author_id, title) values (1, 'hello')`
})

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected a Right, got ${JSON.stringify(e.left)}`)
  return e.right
}
const kindOf = (r: E.Either<unknown, unknown>): unknown =>
  E.isLeft(r)
    ? ((r.left as { readonly kind?: unknown }).kind ?? (r.left as { _tag?: unknown })._tag)
    : 'Right'

// A plan of hand-built statements (for what the typed builders refuse before a plan exists).
const planOf = (...statements: ReadonlyArray<W.Write>): Write.Plan<void> =>
  Write.make(
    M,
    statements.map(statement => ({ statement, expect: 'any' as const, note: 'test' })),
    { _tag: 'None' },
  )
const insertPost = (authorId: unknown, title: unknown) =>
  W.insert({
    table: 'posts',
    columns: ['author_id', 'title'],
    rows: [[Expr.param(authorId), Expr.param(title)]],
    generated: ['id'],
    key: ['id'],
    onConflict: 'raise',
    returning: ['id'],
  })

const onBoth = async (plan: Write.Plan<unknown>) => {
  const pg = await Write.run(plan)(Pg.interpreter(db.sql))()
  const memory = Write.runPure(plan, { constraints: 'model' })(seed)
  return { pg, memory }
}

describe('Write.runPure with the model constraints fails as PostgreSQL fails', () => {
  const cases: ReadonlyArray<readonly [string, () => Write.Plan<unknown>, string]> = [
    ['NOT NULL', () => planOf(insertPost(1, null)), 'NotNullViolation'],
    [
      'foreign key on insert',
      () => right(Write.insert(M, 'post', { author_id: 99, title: 'x' })),
      'ForeignKeyViolation',
    ],
    ['primary key', () => right(Write.insert(M, 'user', { id: 1, name: 'dup' })), 'UniqueViolation'],
    [
      'foreign key on delete (no action)',
      () =>
        planOf(
          W.delete_({
            binding: { table: 'users', alias: 't0' },
            where: [Expr.compare('eq', Expr.column('t0', 'id'), Expr.param(1))],
            returning: ['id'],
          }),
        ),
      'ForeignKeyViolation',
    ],
    // The violation is in the second statement: the first one's insert is not kept either.
    [
      'a failing later step',
      () => planOf(insertPost(1, 'kept?'), insertPost(42, 'dangling')),
      'ForeignKeyViolation',
    ],
  ]
  for (const [name, plan, kind] of cases)
    it(`${name}: ${kind} on both, tables unchanged`, async () => {
      const { pg, memory } = await onBoth(plan())
      expect(kindOf(pg)).toBe(kind)
      expect(kindOf(memory)).toBe(kind)
      expect((await db.sql`select count(*)::int as n from posts`)[0]).toEqual({ n: 1 })
      expect(seed.get('posts')).toHaveLength(1)
    })

  it('without the option the tables are plain lists (the earlier behaviour): the same plans succeed', () => {
    expect(kindOf(Write.runPure(planOf(insertPost(1, null)))(seed))).toBe('Right')
    expect(kindOf(Write.runPure(right(Write.insert(M, 'post', { author_id: 99, title: 'x' })))(seed))).toBe(
      'Right',
    )
  })

  it('a Constraints value works as the option, and a junk one is an InvalidArgument', () => {
    const c = right(Constraints.fromModel(M))
    expect(kindOf(Write.runPure(planOf(insertPost(1, null)), { constraints: c })(seed))).toBe(
      'NotNullViolation',
    )
    const junk = Write.runPure(planOf(insertPost(1, 'x')), { constraints: 'all' as never })(seed)
    expect(E.isLeft(junk) && junk.left).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
    expect(E.isLeft(junk) && junk.left.message).toContain("option 'constraints'")
  })
})

describe('Write.runPure numbers generated keys', () => {
  it('as PostgreSQL does: the same ids, and a missing table of the model is empty', async () => {
    const plan = right(
      Write.insertAll(M, 'user', [{ name: 'bob' }, { name: 'cy' }]) as E.Either<unknown, Write.Plan<unknown>>,
    )
    const pg = await Write.run(plan)(Pg.interpreter(db.sql))()
    const memory = right(
      Write.runPure(plan, { constraints: 'model' })(new Map([['users', [{ id: 1, name: 'ada' }]]])),
    )
    expect(memory.result).toEqual(right(pg))
    expect(memory.result).toEqual([
      { id: 2, name: 'bob' },
      { id: 3, name: 'cy' },
    ])
    expect(memory.tables.get('posts')).toEqual([])
  })

  it('carries sequences between runs: a deleted key is not given again', () => {
    const first = right(
      Write.runPure(right(Write.insert(M, 'user', { name: 'bob' })), { constraints: 'model' })(seed),
    )
    expect(first.result).toMatchObject({ id: 2 })
    // bob is deleted; the next insert gets 3, as PostgreSQL's sequence gives it
    const without = new Map(first.tables).set(
      'users',
      (first.tables.get('users') ?? []).filter(r => r['id'] !== 2),
    )
    const again = right(Write.insert(M, 'user', { name: 'cy' }))
    const next = right(Write.runPure(again, { constraints: 'model', sequences: first.sequences })(without))
    expect(next.result).toMatchObject({ id: 3, name: 'cy' })
    // and without the sequences of the earlier run it starts after the largest id present
    expect(right(Write.runPure(again, { constraints: 'model' })(without)).result).toMatchObject({ id: 2 })
  })

  it('carries sequences from step to step within a plan', () => {
    const plan = planOf(insertPost(1, 'a'), insertPost(1, 'b'))
    const r = right(Write.runPure(plan, { constraints: 'model' })(seed))
    expect(r.tables.get('posts')?.map(p => p['id'])).toEqual([1, 2, 3])
    expect(r.sequences.get('posts\u0000id')).toBe(3)
  })
})
