// Type tests for what writes return: a nested insert and a change plan are typed as the preload of the
// same associations would be (`Loaded`), so the caller goes on with the written tree; association
// names and child fields of a nested insert are checked against the model.
import type * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as Ei from 'fp-ts/lib/Either.js'
import { describe, expectTypeOf, it } from 'vitest'
import * as RTE from 'fp-ts/lib/ReaderTaskEither.js'
import type postgres from 'postgres'
import { Memory, Pg, Query, Write, type Interpreter, type LoadError, type Loaded } from '../../src/index.js'
import { T } from '../write/tree-model.js'

type Result<P> = Extract<P, { readonly _tag: 'Right' }> extends E.Right<Write.Plan<infer A>> ? A : never

describe('nested insert', () => {
  it('is typed as the preload of the associations it gives, as deep as they go', () => {
    const _plan = Write.insert(T, 'post', {
      title: 'T',
      author: { name: 'cy' },
      comments: [{ body: 'c1', likes: [{ who: 'ada' }] }],
      tags: [{ name: 'new' }, { id: 2 }],
    })
    expectTypeOf<Result<typeof _plan>>().toEqualTypeOf<
      Loaded<typeof T, 'post', { author: true; comments: { likes: true }; tags: true }>
    >()
    const r = {} as Result<typeof _plan>
    expectTypeOf(r.id).toEqualTypeOf<number>()
    expectTypeOf(r.comments[0]!.likes[0]!.who).toEqualTypeOf<string>()
    expectTypeOf(r.author).toEqualTypeOf<
      import('fp-ts/lib/Option.js').Option<{ readonly id: number; readonly name: string }>
    >()
  })
  it('a record without associations is a plain insert, held to every required column', () => {
    expectTypeOf<Result<ReturnType<typeof Write.insert<typeof T, 'tag'>>>>().toEqualTypeOf<
      Loaded<typeof T, 'tag', Record<never, never>>
    >()
    // @ts-expect-error: 'title' is required on a plain insert
    Write.insert(T, 'post', { author_id: 1 })
  })
  it('refuses a misspelled association, a through or unknown name, a child field of the wrong type', () => {
    // @ts-expect-error: post has no association 'coments'
    Write.insert(T, 'post', { title: 'x', coments: [] })
    // @ts-expect-error: a comment's body is text
    Write.insert(T, 'post', { title: 'x', comments: [{ body: 1 }] })
    // @ts-expect-error: a like has no column 'name'
    Write.insert(T, 'post', { title: 'x', comments: [{ body: 'b', likes: [{ name: 'x' }] }] })
    // @ts-expect-error: 'comments' is a list
    Write.insert(T, 'post', { title: 'x', comments: { body: 'b' } })
  })
})

declare const loaded: Loaded<typeof T, 'post', { comments: true; tags: true }>

describe('change plans', () => {
  it('toPlan returns the owner with the associations the change names', () => {
    const _plan = pipe(
      Write.change(T, 'post', loaded),
      Write.putAssoc('comments', []),
      Ei.flatMap(Write.putAssoc('tags', [])),
      Ei.flatMap(c => Write.toPlan(c)),
    )
    expectTypeOf<Result<typeof _plan>>().toEqualTypeOf<
      Loaded<typeof T, 'post', { readonly comments: true } & { readonly tags: true }>
    >()
  })
  it('a cast names the associations of its whitelist, nested', () => {
    const _plan = pipe(
      Write.change(T, 'post', loaded),
      Write.cast(
        {},
        {
          permit: ['title'],
          assocs: { comments: { permit: ['body'], assocs: { likes: { permit: ['who'] } } } },
        },
      ),
      Ei.flatMap(c => Write.toPlan(c)),
    )
    const r = {} as Result<typeof _plan>
    expectTypeOf(r.comments[0]!.likes[0]!.who).toEqualTypeOf<string>()
  })
})

describe('one environment', () => {
  it('a program that reads with Pg.all and writes with Write.run runs on a client, a transaction or an interpreter', () => {
    const _program = (plan: Write.Plan<number>) =>
      pipe(
        Pg.all(Query.from(T, 'post')),
        RTE.flatMap(() => Write.run(plan)),
      )
    type Env = Parameters<ReturnType<typeof _program>>[0]
    expectTypeOf<postgres.Sql>().toMatchTypeOf<Env>()
    expectTypeOf<postgres.TransactionSql>().toMatchTypeOf<Env>()
    expectTypeOf<Interpreter>().toMatchTypeOf<Env>()
    expectTypeOf<ReturnType<ReturnType<ReturnType<typeof _program>>>>().toEqualTypeOf<
      Promise<E.Either<LoadError | Write.PlanError, number>>
    >()
    // Memory runners also take a memory store (whose tables then hold what the program wrote).
    expectTypeOf<Memory.Store>().toMatchTypeOf<
      Parameters<ReturnType<typeof Memory.all<typeof T, 'post', unknown, never>>>[0]
    >()
  })
})
