// The Effect bridge of docs/effect.md, as a module the test imports: test/docs/effect.test.ts checks
// that the guide's `bridge` block declares exactly this (the guide cannot drift from what is tested).
import { Effect } from 'effect'
import * as RTE from 'fp-ts/lib/ReaderTaskEither.js'
import * as TE from 'fp-ts/lib/TaskEither.js'

// A TaskEither as an Effect: a Right is the success, a Left the typed failure. Quiver's programs
// never reject (every error is a Left), so a rejection would be a bug: Effect.promise makes it a
// defect, not a failure of type E.
export const fromTaskEither = <E, A>(program: TE.TaskEither<E, A>): Effect.Effect<A, E> =>
  Effect.flatMap(
    Effect.promise(() => program()),
    (result): Effect.Effect<A, E> =>
      result._tag === 'Left' ? Effect.fail(result.left) : Effect.succeed(result.right),
  )

// A ReaderTaskEither (Pg.all(q), Pg.transact(...), Write.run(plan)) given its environment: a
// postgres.js client, an interpreter or in-memory tables.
export const fromReaderTaskEither = <R, E, A>(
  program: RTE.ReaderTaskEither<R, E, A>,
  env: R,
): Effect.Effect<A, E> => fromTaskEither(program(env))
