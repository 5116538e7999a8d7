// The Effect bridge (docs/effect.md), run for real: Quiver programs on the test database (PostgreSQL
// with DATABASE_URL, else the embedded PGlite) run through Effect, with `effect` a devDependency only.
// A Right comes out as the Effect's success, a Left as its failure with the same typed error value, a
// rejection (a bug: Quiver's programs do not reject) as a defect; the guide's adapter is the one tested.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Cause, Context, Effect, Exit } from 'effect'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as RTE from 'fp-ts/lib/ReaderTaskEither.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { Column, Pg, Pred, Query, Schema, Write, type LoadError } from '../../src/index.js'
import { Blog, ddl, seed } from '../support/blog.js'
import { connect, run, type TestDb } from '../support/db.js'
import { fromReaderTaskEither, fromTaskEither } from './effect-bridge.js'
import { code, readme, root } from './extract.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [...ddl, ...seed])
}, 60_000)
afterAll(async () => db.close())

const postsWithComments = pipe(
  Query.from(Blog, 'post'),
  Query.where(p => Pred.in(p.id, [1, 3])),
  Query.orderBy(['id']),
  Query.preload({ author: true, comments: { author: true } }),
)

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (!Exit.isFailure(exit)) throw new Error(`expected a failure, got ${String(exit)}`)
  const e = Cause.findError(exit.cause)
  if (e._tag !== 'Success') throw new Error('the failure holds no typed error')
  return e.success
}

describe('Effect bridge', () => {
  it("is the guide's bridge block, word for word", () => {
    const guide = readme('docs/effect.md', readFileSync(join(root, 'docs', 'effect.md'), 'utf8'))
    const bridge = guide.find(b => b.prelude === 'bridge')
    expect(bridge).toBeDefined()
    const module = readFileSync(join(root, 'test', 'docs', 'effect-bridge.ts'), 'utf8')
    expect(code((bridge?.lines ?? []).map(l => l.text).join('\n'))).toBe(code(module))
  })

  it('a preloaded query: the Right is the success', async () => {
    const program = fromReaderTaskEither(Pg.all(postsWithComments), db.sql)
    expectTypeOf<Effect.Error<typeof program>>().toEqualTypeOf<LoadError>()
    const exit = await Effect.runPromiseExit(program)
    expect(Exit.isSuccess(exit)).toBe(true)
    const posts = Exit.isSuccess(exit) ? exit.value : []
    // The seed: post 1 by ada with comments 1-3 (by bob, cy, bob), post 3 by bob with comment 5 (by cy).
    expect(posts.map(p => [p.title, O.isSome(p.author) ? p.author.value.name : null])).toEqual([
      ['hello', 'ada'],
      ['bobs', 'bob'],
    ])
    expect(
      posts.map(p => p.comments.map(c => [c.id, O.isSome(c.author) ? c.author.value.name : null])),
    ).toEqual([
      [
        [1, 'bob'],
        [2, 'cy'],
        [3, 'bob'],
      ],
      [[5, 'cy']],
    ])
    // The same value the TaskEither gives.
    expect(await Pg.all(postsWithComments)(db.sql)()).toEqual(E.right(posts))
  })

  it('a Left is the failure, with its typed error', async () => {
    const missing = pipe(
      Query.from(Blog, 'post'),
      Query.where(p => Pred.eq(p.id, 999)),
    )
    const program = fromReaderTaskEither(Pg.one(missing), db.sql)
    const exit = await Effect.runPromiseExit(program)
    const error = failureOf(exit)
    expect(error._tag).toBe('QueryError')
    expect(error._tag === 'QueryError' && error.code).toBe('NotFound')
    // The very value the TaskEither's Left holds.
    expect(await Pg.one(missing)(db.sql)()).toEqual(E.left(error))
    // Handled by tag, as Effect handles its own errors: the LoadError union is tagged.
    const code = await Effect.runPromise(
      pipe(
        program,
        Effect.map(() => 'found'),
        Effect.catchTag('QueryError', e => Effect.succeed(e.code)),
        Effect.catchTag('DbError', e => Effect.succeed(e.kind)),
        Effect.catchTag('DecodeError', () => Effect.succeed('decode')),
      ),
    )
    expect(code).toBe('NotFound')
  })

  it("the database's error is the failure: a DbError with its kind", async () => {
    // A table the model declares and the database does not have.
    const ghost = Schema.table('ghost', 'ghosts', { id: Column.serial })
    const Ghosts = Schema.modelOrThrow({ ghost }, {})
    const error = failureOf(
      await Effect.runPromiseExit(fromReaderTaskEither(Pg.all(Query.from(Ghosts, 'ghost')), db.sql)),
    )
    expect(error._tag).toBe('DbError')
    expect(error._tag === 'DbError' && error.kind).toBe('UndefinedTable')
  })

  it('a write in a transaction: its Left rolls back and fails the Effect', async () => {
    const insertTag = (name: string) =>
      pipe(RTE.fromEither(Write.insert(Blog, 'tag', { name })), RTE.flatMap(Write.run))
    // Inserts a tag, then fails: the transaction rolls back and the Effect fails with the QueryError.
    const program = Pg.transact(tx =>
      pipe(
        insertTag('effect')(Pg.interpreter(tx)),
        TE.flatMap(() =>
          Pg.one(
            pipe(
              Query.from(Blog, 'tag'),
              Query.where(t => Pred.eq(t.id, -1)),
            ),
          )(tx),
        ),
      ),
    )
    const effect = fromReaderTaskEither(program, db.sql)
    expectTypeOf<Effect.Error<typeof effect>>().toEqualTypeOf<Write.PlanError | LoadError>()
    const error = failureOf(await Effect.runPromiseExit(effect))
    expect(error._tag === 'QueryError' && error.code).toBe('NotFound')
    const tags = await Pg.all(
      pipe(
        Query.from(Blog, 'tag'),
        Query.where(t => Pred.eq(t.name, 'effect')),
      ),
    )(db.sql)()
    expect(tags).toEqual(E.right([]))
    // And without the failing step, the tag is stored.
    const stored = await Effect.runPromise(
      fromReaderTaskEither(
        Pg.transact(tx => insertTag('effect')(Pg.interpreter(tx))),
        db.sql,
      ),
    )
    expect(stored.name).toBe('effect')
  })

  it('the client as an Effect service', async () => {
    class Db extends Context.Service<Db, postgres.Sql>()('Db') {}
    const load = <E, A>(program: RTE.ReaderTaskEither<postgres.Sql, E, A>) =>
      Effect.gen(function* () {
        const sql = yield* Db
        return yield* fromReaderTaskEither(program, sql)
      })
    const titles = await Effect.runPromise(
      pipe(
        load(Pg.all(postsWithComments)),
        Effect.map(posts => posts.map(p => p.title)),
        Effect.provideService(Db, db.sql),
      ),
    )
    expect(titles).toEqual(['hello', 'bobs'])
  })

  it('a rejection is a defect, not a typed failure', async () => {
    const bug: TE.TaskEither<LoadError, number> = () => Promise.reject(new Error('a bug'))
    const exit = await Effect.runPromiseExit(fromTaskEither(bug))
    expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
    expect(Exit.isFailure(exit) && Cause.hasFails(exit.cause)).toBe(false)
  })
})
