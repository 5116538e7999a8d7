// Runtime failures as values: DbError classification, DecodeError, Pg.one / Pg.first, and Pg.transact
// (commit, rollback on a Left, on a database error, on a rejection; nested transact as a savepoint).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as RTE from 'fp-ts/lib/ReaderTaskEither.js'
import * as t from 'io-ts'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Column, Pg, Pred, Query, Schema } from '../../src/index.js'
import { Blog, ddl, seed } from '../support/blog.js'
import { connect, run, type TestDb } from '../support/db.js'
import { deadClient } from '../sql/helpers.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [
    ...ddl,
    ...seed,
    'create table notes (id integer primary key, body text not null unique)',
  ])
})
afterAll(async () => db.close())

const exec = (text: string, ...params: ReadonlyArray<unknown>) => Pg.execute({ text, params })
const count = async (table: string): Promise<number> => {
  const r = await db.sql.unsafe(`select count(*)::int as n from ${table}`)
  return r[0]?.['n'] as number
}
const left = <L, A>(r: E.Either<L, A>): L => {
  if (E.isRight(r)) throw new Error(`expected a Left, got ${JSON.stringify(r.right)}`)
  return r.left
}

describe('DbError classification', () => {
  it('unique violation (23505) names the constraint and table', async () => {
    const e = left(await exec('insert into users (id, name) values ($1, $2)', 1, 'again')(db.sql)())
    expect(e).toMatchObject({
      _tag: 'DbError',
      kind: 'UniqueViolation',
      code: '23505',
      constraint: 'users_pkey',
      table: 'users',
    })
    expect(e.detail).toContain('(id)=(1)')
  })

  it('foreign key violation (23503)', async () => {
    const e = left(
      await exec(
        'insert into posts (author_id, title, body, published, inserted_at) values ($1, $2, $3, $4, now())',
        999,
        't',
        'b',
        true,
      )(db.sql)(),
    )
    expect(e).toMatchObject({ kind: 'ForeignKeyViolation', code: '23503', table: 'posts' })
  })

  it('not-null violation (23502) names the column', async () => {
    const e = left(await exec('insert into tags (name) values ($1)', null)(db.sql)())
    expect(e).toMatchObject({ kind: 'NotNullViolation', code: '23502', column: 'name' })
  })

  it('undefined table and undefined column, from a schema that disagrees with the database', async () => {
    const ghost = Schema.table('ghost', 'ghosts', { id: Column.serial })
    const wider = Schema.table('user', 'users', { id: Column.serial, name: Column.text, age: Column.integer })
    const M = Schema.modelOrThrow({ ghost, user: wider }, {})
    const t = left(await Pg.all(Query.from(M, 'ghost'))(db.sql)())
    expect(t).toMatchObject({ _tag: 'DbError', kind: 'UndefinedTable', code: '42P01' })
    expect(t.message).toContain('ghosts')
    const c = left(await Pg.all(Query.from(M, 'user'))(db.sql)())
    expect(c).toMatchObject({ _tag: 'DbError', kind: 'UndefinedColumn', code: '42703' })
    expect(c.message).toContain('age')
  })

  it('a syntax error in a fragment', async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p => Pred.fragment`${p.id} === ${1}`),
    )
    expect(left(await Pg.all(q)(db.sql)())).toMatchObject({ _tag: 'DbError', kind: 'UndefinedFunction' })
  })

  it('connection refused on a closed port', async () => {
    const dead: postgres.Sql = await deadClient()
    try {
      const e = left(await Pg.all(Query.from(Blog, 'user'))(dead)())
      expect(e).toMatchObject({ _tag: 'DbError', kind: 'ConnectionRefused', code: 'ECONNREFUSED' })
    } finally {
      await dead.end({ timeout: 1 })
    }
  })
})

describe('DecodeError', () => {
  it('names table, column and value when a codec disagrees with the database', async () => {
    const wrong = Schema.table('person', 'users', { id: Column.serial, name: Column.integer })
    const M = Schema.modelOrThrow({ person: wrong }, {})
    const q = pipe(
      Query.from(M, 'person'),
      Query.where(p => Pred.eq(p.id, 1)),
    )
    const e = left(await Pg.all(q)(db.sql)())
    expect(e).toMatchObject({ _tag: 'DecodeError', table: 'person', column: 'name', value: 'ada' })
    expect(e.message).toContain(`column 'name' of table 'person'`)
    expect(e.message).toContain('"ada"')
  })

  it('a NULL in a column declared not nullable', async () => {
    const strict = Schema.table('user', 'users', { id: Column.serial, name: Column.text, email: Column.text })
    const M = Schema.modelOrThrow({ user: strict }, {})
    const e = left(
      await Pg.all(
        pipe(
          Query.from(M, 'user'),
          Query.where(u => Pred.eq(u.id, 2)),
        ),
      )(db.sql)(),
    )
    expect(e).toMatchObject({ _tag: 'DecodeError', table: 'user', column: 'email', value: null })
  })
})

describe('owner keys of batched rows', () => {
  // comments.post_id declared with another codec than posts.id: the owner key is still read with
  // posts.id's codec (the rows group under their posts), and the child's own codec still decides
  const withPostId = (postId: Column.Column<unknown>) =>
    Schema.modelOrThrow(
      {
        post: Schema.table('post', 'posts', { id: Column.serial, title: Column.text }),
        comment: Schema.table('comment', 'comments', {
          id: Column.serial,
          post_id: postId,
          body: Column.text,
        }),
      },
      { post: { comments: Schema.hasMany('comment', { preloadOrder: ['id'] }) } },
    )
  const load = (M: ReturnType<typeof withPostId>) =>
    Pg.all(pipe(Query.from(M, 'post'), Query.orderBy(['id']), Query.preload({ comments: true })), {
      strategy: 'batched',
    })(db.sql)()

  it('a child key column of another codec groups by the owner codec', async () => {
    const shared = await load(withPostId(Column.integer))
    // The same SQL type (a foreign key must match its key's type), another codec.
    const other = await load(withPostId(Column.custom(t.number, 'integer')))
    if (E.isLeft(shared) || E.isLeft(other)) throw new Error('load failed')
    expect(shared.right.some(p => p.comments.length > 0)).toBe(true)
    expect(other.right).toEqual(shared.right)
  })

  it("a child key column whose codec rejects the value is a DecodeError naming the child's column", async () => {
    expect(left(await load(withPostId(Column.custom(t.string, 'integer'))))).toMatchObject({
      _tag: 'DecodeError',
      table: 'comment',
      column: 'post_id',
    })
  })
})

describe('Pg.one and Pg.first', () => {
  const byName = (name: string) =>
    pipe(
      Query.from(Blog, 'user'),
      Query.where(u => Pred.eq(u.name, name)),
    )
  it('one: the row, NotFound, TooMany', async () => {
    const r = await Pg.one(byName('bob'))(db.sql)()
    expect(E.isRight(r) && r.right).toEqual({ id: 2, name: 'bob', email: null })
    expect(left(await Pg.one(byName('zed'))(db.sql)())).toMatchObject({
      _tag: 'QueryError',
      code: 'NotFound',
      schema: 'user',
    })
    expect(left(await Pg.one(Query.from(Blog, 'user'))(db.sql)())).toMatchObject({
      _tag: 'QueryError',
      code: 'TooMany',
    })
  })

  it('first: Some of the first row, None with no row', async () => {
    const some = await Pg.first(pipe(Query.from(Blog, 'user'), Query.orderBy([['desc', 'id']])))(db.sql)()
    expect(some).toEqual(E.right(O.some({ id: 3, name: 'cy', email: 'cy@example.com' })))
    expect(await Pg.first(byName('zed'))(db.sql)()).toEqual(E.right(O.none))
  })
})

describe('Pg.transact', () => {
  const insertNote = (id: number, body: string) =>
    exec('insert into notes (id, body) values ($1, $2)', id, body)
  const note = async (id: number): Promise<boolean> =>
    (await db.sql.unsafe('select 1 from notes where id = $1', [id])).length === 1

  it('a Right commits', async () => {
    const r = await Pg.transact(
      pipe(
        insertNote(1, 'one'),
        RTE.flatMap(() => insertNote(2, 'two')),
        RTE.map(() => 'done' as const),
      ),
    )(db.sql)()
    expect(r).toEqual(E.right('done'))
    expect([await note(1), await note(2)]).toEqual([true, true])
  })

  it('a Left rolls back and comes out as itself', async () => {
    const r = await Pg.transact(
      pipe(
        insertNote(3, 'three'),
        RTE.flatMap(() => RTE.left({ _tag: 'Mine' as const })),
      ),
    )(db.sql)()
    expect(r).toEqual(E.left({ _tag: 'Mine' }))
    expect(await note(3)).toBe(false)
  })

  it('a DbError midway rolls back the earlier statements', async () => {
    const r = await Pg.transact(
      pipe(
        insertNote(4, 'four'),
        RTE.flatMap(() => insertNote(5, 'one')), // body 'one' is taken: unique violation
      ),
    )(db.sql)()
    expect(left(r)).toMatchObject({ _tag: 'DbError', kind: 'UniqueViolation', constraint: 'notes_body_key' })
    expect([await note(4), await note(5)]).toEqual([false, false])
  })

  it('a rejected program rolls back and is a DbError', async () => {
    const r = await Pg.transact(
      pipe(
        insertNote(6, 'six'),
        RTE.flatMap(() => () => () => Promise.reject(new Error('kaput'))),
      ),
    )(db.sql)()
    expect(left(r)).toMatchObject({ _tag: 'DbError', kind: 'Unknown', message: 'kaput' })
    expect(await note(6)).toBe(false)
  })

  it('a nested transact is a savepoint: its Left undoes only its own work', async () => {
    const before = await count('notes')
    const r = await Pg.transact(
      pipe(
        insertNote(7, 'seven'),
        RTE.flatMap(() =>
          pipe(
            Pg.transact(
              pipe(
                insertNote(8, 'eight'),
                RTE.flatMap(() => RTE.left('inner failed' as const)),
              ),
            ),
            // the outer program recovers from the inner Left and goes on
            RTE.orElse(e => RTE.right(e)),
          ),
        ),
        RTE.flatMap(inner =>
          pipe(
            insertNote(9, 'nine'),
            RTE.map(() => inner),
          ),
        ),
      ),
    )(db.sql)()
    expect(r).toEqual(E.right('inner failed'))
    expect([await note(7), await note(8), await note(9)]).toEqual([true, false, true])
    expect(await count('notes')).toBe(before + 2)
  })

  it('a nested Right commits with the outer, and the outer Left undoes both', async () => {
    const r = await Pg.transact(
      pipe(
        Pg.transact(insertNote(10, 'ten')),
        RTE.flatMap(() => RTE.left('outer failed' as const)),
      ),
    )(db.sql)()
    expect(r).toEqual(E.left('outer failed'))
    expect(await note(10)).toBe(false)
  })

  it('queries inside a transaction see its uncommitted rows', async () => {
    const r = await Pg.transact(
      pipe(
        exec("insert into tags (id, name) values (50, 'inside')"),
        RTE.flatMap(() =>
          Pg.all(
            pipe(
              Query.from(Blog, 'tag'),
              Query.where(t => Pred.eq(t.id, 50)),
            ),
          ),
        ),
        RTE.flatMap(rows => RTE.left(rows)),
      ),
    )(db.sql)()
    expect(r).toEqual(E.left([{ id: 50, name: 'inside' }]))
    expect(await count('tags where id = 50')).toBe(0)
  })
})
