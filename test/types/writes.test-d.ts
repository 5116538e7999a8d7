// Type tests of set-based writes and upserts: what the plans return (a count, typed rows, an Option
// for an insert that skips conflicts), what `set` accepts (values and terms of the column's type, inc
// on number columns, excluded in an upsert), and what the compiler refuses (unknown columns, values of
// another type, a nullable term into a NOT NULL column, projections as targets, outputs that are not
// columns for insertFrom).
import type * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as O from 'fp-ts/lib/Option.js'
import { describe, expectTypeOf, it } from 'vitest'
import { Fn, Pred, Query, Write } from '../../src/index.js'
import { M } from '../write/set-model.js'

interface Post {
  readonly id: number
  readonly author_id: number
  readonly title: string
  readonly views: number
  readonly score: number | null
}
interface User {
  readonly id: number
  readonly name: string
  readonly email: string
  readonly visits: number
}

const posts = Query.from(M, 'post')

describe('updateAll / deleteAll', () => {
  it('a count by default, the rows with returning: true', () => {
    expectTypeOf(Write.updateAll(posts, { views: 1 })).toEqualTypeOf<
      E.Either<Write.SetError, Write.Plan<number>>
    >()
    expectTypeOf(Write.updateAll(posts, { views: 1 }, { returning: true })).toEqualTypeOf<
      E.Either<Write.SetError, Write.Plan<ReadonlyArray<Post>>>
    >()
    expectTypeOf(Write.deleteAll(posts)).toEqualTypeOf<E.Either<Write.SetError, Write.Plan<number>>>()
    expectTypeOf(Write.deleteAll(posts, { returning: true })).toEqualTypeOf<
      E.Either<Write.SetError, Write.Plan<ReadonlyArray<Post>>>
    >()
  })
  it('set: values and terms of the column type, inc on numbers, callbacks over the row', () => {
    Write.updateAll(posts, { title: 'x', score: null, views: Write.inc(2) })
    Write.updateAll(posts, p => ({
      views: Fn.add(p.views, 1),
      score: Fn.coalesce(p.score, 0),
      title: Fn.upper(p.title),
    }))
    Write.updateAll(
      pipe(
        posts,
        Query.join('author'),
        Query.where((_, $) => Pred.eq($.joined.author.name, 'ada')),
      ),
      { views: 0 },
    )
    // @ts-expect-error not a column
    Write.updateAll(posts, { nope: 1 })
    // @ts-expect-error a value of another type
    Write.updateAll(posts, { views: 'many' })
    // @ts-expect-error inc on a text column
    Write.updateAll(posts, { title: Write.inc(1) })
    // @ts-expect-error NULL into a NOT NULL column
    Write.updateAll(posts, { views: null })
    // @ts-expect-error a nullable term into a NOT NULL column
    Write.updateAll(posts, p => ({ views: p.score }))
    // @ts-expect-error a text term into a number column
    Write.updateAll(posts, p => ({ views: p.title }))
  })
  it('a projection is not a target', () => {
    const projected = pipe(
      posts,
      Query.select(p => ({ id: p.id })),
    )
    // @ts-expect-error a projection names outputs, not rows
    Write.updateAll(projected, { views: 1 })
    // @ts-expect-error a projection names outputs, not rows
    Write.deleteAll(projected)
  })
})

describe('insertFrom', () => {
  it('the inserted rows; outputs must be columns of the right types, required ones present', () => {
    const q = pipe(
      posts,
      Query.select(p => ({ title: p.title })),
    )
    expectTypeOf(Write.insertFrom(M, 'archive', q)).toEqualTypeOf<
      E.Either<
        Write.SetError,
        Write.Plan<
          ReadonlyArray<{ readonly id: number; readonly title: string; readonly note: string | null }>
        >
      >
    >()
    const extra = pipe(
      posts,
      Query.select(p => ({ title: p.title, views: p.views })),
    )
    const missing = pipe(
      posts,
      Query.select(p => ({ note: p.title })),
    )
    const mistyped = pipe(
      posts,
      Query.select(p => ({ title: p.views })),
    )
    // @ts-expect-error an output that is not a column
    Write.insertFrom(M, 'archive', extra)
    // @ts-expect-error the required column title is missing
    Write.insertFrom(M, 'archive', missing)
    // @ts-expect-error a number into a text column
    Write.insertFrom(M, 'archive', mistyped)
  })
})

describe('upsert', () => {
  const v = { name: 'a', email: 'a@x', visits: 1 }
  it('insert: the row, or an Option when conflicts are skipped; insertAll: the rows', () => {
    expectTypeOf(
      Write.insert(M, 'user', v, { onConflict: { target: ['email'], action: { update: 'replace_all' } } }),
    ).toEqualTypeOf<E.Either<Write.WriteError, Write.Plan<User>>>()
    expectTypeOf(
      Write.insert(M, 'user', v, { onConflict: { target: ['email'], action: 'nothing' } }),
    ).toEqualTypeOf<E.Either<Write.WriteError, Write.Plan<O.Option<User>>>>()
    expectTypeOf(Write.insert(M, 'user', v)).toEqualTypeOf<E.Either<Write.WriteError, Write.Plan<User>>>()
    expectTypeOf(
      Write.insertAll(M, 'user', [v], {
        onConflict: { target: { constraint: 'users_email_key' }, action: 'nothing' },
      }),
    ).toEqualTypeOf<E.Either<Write.WriteError, Write.Plan<ReadonlyArray<User>>>>()
  })
  it('targets and sets are checked against the schema; excluded has the row type', () => {
    Write.insert(M, 'user', v, {
      onConflict: {
        target: ['email'],
        action: { update: (u, ex) => ({ visits: Fn.add(u.visits, ex.visits), name: ex.name }) },
      },
    })
    Write.insert(M, 'user', v, {
      onConflict: { target: ['email'], action: { update: { except: ['name'] } } },
    })
    // @ts-expect-error not a column of user
    Write.insert(M, 'user', v, { onConflict: { target: ['title'], action: 'nothing' } })
    Write.insert(M, 'user', v, {
      // @ts-expect-error not a column of user
      onConflict: { target: ['email'], action: { update: { except: ['title'] } } },
    })
    Write.insert(M, 'user', v, {
      // @ts-expect-error a text term into a number column
      onConflict: { target: ['email'], action: { update: (_, ex) => ({ visits: ex.name }) } },
    })
    // @ts-expect-error not an action
    Write.insert(M, 'user', v, { onConflict: { target: ['email'], action: 'replace' } })
  })
})
