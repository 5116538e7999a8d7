// Type tests: a row comparison (`Pred.rowLt` and the rest) takes, per member, a value or a term of the
// left member's type, in prepared queries too (placeholders are terms).
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { describe, expectTypeOf, it } from 'vitest'
import { Pred, Prepared, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'

describe('row comparisons', () => {
  it('take values and terms of the members types', () => {
    pipe(
      Query.from(Blog, 'comment'),
      Query.where(c => Pred.rowLt([c.inserted_at, c.id], [new Date(0), 3])),
      Query.where(c => Pred.rowGte([c.post_id, c.id], [c.author_id, 1])),
    )
    pipe(
      Query.from(Blog, 'comment'),
      // @ts-expect-error a string for a number member
      Query.where(c => Pred.rowLt([c.inserted_at, c.id], [new Date(0), '3'])),
    )
    pipe(
      Query.from(Blog, 'comment'),
      // @ts-expect-error null is never a member's value (use isNull)
      Query.where(c => Pred.rowEq([c.parent_id, c.id], [null, 3])),
    )
    pipe(
      Query.from(Blog, 'comment'),
      // @ts-expect-error one member too few on the right
      Query.where(c => Pred.rowGt([c.inserted_at, c.id], [new Date(0)])),
    )
    expectTypeOf(Pred.rowLt<[number, string]>).returns.toEqualTypeOf<Pred.Pred<boolean>>()
  })

  it('takes placeholders in a prepared query', () => {
    const page = Prepared.make({ at: t.unknown as t.Type<Date>, id: t.number }, ({ at, id }) =>
      pipe(
        Query.from(Blog, 'comment'),
        Query.where(c => Pred.rowLt([c.inserted_at, c.id], [at, id])),
      ),
    )
    expectTypeOf(page.params.id).toEqualTypeOf<t.NumberC>()
    Prepared.make({ id: t.string }, ({ id }) =>
      pipe(
        Query.from(Blog, 'comment'),
        // @ts-expect-error a string placeholder for a number member
        Query.where(c => Pred.rowLt([c.inserted_at, c.id], [new Date(0), id])),
      ),
    )
  })
})
