// Type tests: a prepared query's arguments follow from its codecs, its rows from its query, exactly as
// the same query's rows run ad hoc; placeholders are typed terms.
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as t from 'io-ts'
import { describe, expectTypeOf, it } from 'vitest'
import { Memory, Pg, Pred, Prepared, Query } from '../../src/index.js'
import type { Loaded } from '../../src/query/Loaded.js'
import { Blog } from '../support/blog.js'

const postById = Prepared.make({ id: t.number, published: t.boolean }, ({ id, published }) =>
  pipe(
    Query.from(Blog, 'post'),
    Query.where(p => Pred.and(Pred.eq(p.id, id), Pred.eq(p.published, published))),
    Query.preload({ comments: { author: true }, permalink: true }),
  ),
)

declare const idTerm: Pred.Term<number>

type Spec = { readonly comments: { readonly author: true }; readonly permalink: true }

describe('prepared queries', () => {
  it('takes the arguments its codecs declare', () => {
    type Args = Parameters<
      ReturnType<typeof Pg.prepared<typeof Blog, 'post', Spec, typeof postById.params>>
    >[0]
    expectTypeOf<Args>().toEqualTypeOf<{ readonly id: number; readonly published: boolean }>()
    const load = Pg.prepared(postById)
    // @ts-expect-error a string for a number
    load({ id: '1', published: true })
    // @ts-expect-error a missing argument
    load({ id: 1 })
    expectTypeOf(Memory.prepared(postById))
      .parameter(0)
      .toEqualTypeOf<{ readonly id: number; readonly published: boolean }>()
  })

  it('gives the rows of its query, with the preloads typed', async () => {
    const r = await Pg.prepared(postById)({ id: 1, published: true })(null as never)()
    if (r._tag === 'Left') return
    expectTypeOf(r.right).toEqualTypeOf<ReadonlyArray<Loaded<typeof Blog, 'post', Spec>>>()
    const first = r.right[0]
    if (first === undefined) return
    expectTypeOf(first.comments[0]?.author).toEqualTypeOf<
      O.Option<{ readonly id: number; readonly name: string; readonly email: string | null }> | undefined
    >()
  })

  it('gives the builder terms typed by the codecs', () => {
    Prepared.make({ title: t.string }, ({ title }) => {
      expectTypeOf(title).toEqualTypeOf<Pred.Term<string>>()
      // @ts-expect-error a string term against a number column
      Pred.eq(idTerm, title)
      return pipe(
        Query.from(Blog, 'post'),
        Query.where(p => Pred.eq(p.title, title)),
      )
    })
  })
})
