// Untyped misuse of queries (names from user input, casts) gives a Left QueryError when compiled or run,
// never a throw.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expect, it } from 'vitest'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { DbError, type Interpreter, Pred, Query, Run, Schema } from '../../src/index.js'
import { Blog, comment, post, user } from '../support/blog.js'

// The model as untyped code sees it: every name is a plain string.
const B = Blog as unknown as Schema.Model
type Untyped = (...args: ReadonlyArray<unknown>) => never
const from = Query.from as unknown as Untyped
const assoc = Query.assoc as unknown as (m: unknown, s: unknown, n: unknown) => (o: unknown) => Query.AnyQuery
const where = Query.where as unknown as (
  f: (row: never, $: never) => unknown,
) => (q: Query.AnyQuery) => Query.AnyQuery
const join = Query.join as unknown as (n: unknown, k?: unknown) => (q: Query.AnyQuery) => Query.AnyQuery
const orderBy = Query.orderBy as unknown as (items: unknown) => (q: Query.AnyQuery) => Query.AnyQuery
type Loose = Readonly<Record<string, Readonly<Record<string, never>>>> & {
  readonly exists: Untyped
  readonly every: Untyped
  readonly notExists: Untyped
  readonly joined: Readonly<Record<string, Readonly<Record<string, never>>>>
}

const expectQueryError = (q: Query.AnyQuery, code: string, message: RegExp) => {
  const r = Query.toSql(q)
  if (E.isRight(r)) throw new Error(`expected a QueryError, got SQL ${r.right.text}`)
  expect(r.left._tag).toBe('QueryError')
  expect(r.left.code).toBe(code)
  expect(r.left.message).toMatch(message)
}
const posts = (): Query.AnyQuery => from(B, 'post')

describe('unknown names', () => {
  it('unknown schema in from', async () => {
    const q = from(B, 'article') as Query.AnyQuery
    expectQueryError(q, 'UnknownSchema', /no schema 'article'/)
    // running it is a Left too, and no statement reaches the interpreter
    let calls = 0
    const spy: Interpreter = {
      _tag: 'Interpreter',
      name: 'spy',
      select: () => {
        calls++
        return TE.right([])
      },
      transact: () => TE.left(DbError.make('Unknown', 'unused')),
    }
    const r = await Run.all(q)(spy)()
    expect(E.isLeft(r) && r.left._tag).toBe('QueryError')
    expect(calls).toBe(0)
  })

  it('a name inherited from Object.prototype is not a schema', () => {
    expectQueryError(from(B, 'constructor'), 'UnknownSchema', /'constructor'/)
    expectQueryError(assoc(B, 'toString', 'posts')([]), 'UnknownSchema', /'toString'/)
  })

  it('unknown association in assoc, by name and inside a path', () => {
    expectQueryError(
      assoc(B, 'post', 'remarks')([]),
      'UnknownAssociation',
      /schema 'post' has no association 'remarks'/,
    )
    expectQueryError(
      assoc(B, 'post', ['comments', 'writer'])([]),
      'UnknownAssociation',
      /schema 'comment' has no association 'writer'/,
    )
    expectQueryError(assoc(B, 'post', [])([]), 'InvalidArgument', /at least one name/)
    expectQueryError(assoc(B, 'post', 42)([]), 'InvalidArgument', /association name or a path/)
  })

  it('assoc given something other than owner rows', () => {
    expectQueryError(assoc(B, 'post', 'comments')(5), 'InvalidArgument', /expects post rows/)
    expectQueryError(assoc(B, 'post', 'comments')([{ id: 1 }, null]), 'InvalidArgument', /expects post rows/)
  })

  it('unknown association in exists / notExists / every, also nested', () => {
    const ex = (f: (p: Loose, $: Loose) => unknown) => where(f as never)(posts())
    expectQueryError(
      ex((_, $) => $.exists('remarks')),
      'UnknownAssociation',
      /'remarks'/,
    )
    expectQueryError(
      ex((_, $) => $.notExists('remarks')),
      'UnknownAssociation',
      /'remarks'/,
    )
    expectQueryError(
      ex((_, $) => $.every('remarks', () => Pred.and())),
      'UnknownAssociation',
      /'remarks'/,
    )
    expectQueryError(
      ex((_, $) => $.exists('comments', ((_c: Loose, $c: Loose) => $c.exists('likes')) as never)),
      'UnknownAssociation',
      /schema 'comment' has no association 'likes'/,
    )
  })

  it('unknown association in join, and joining twice', () => {
    expectQueryError(join('remarks')(posts()), 'UnknownAssociation', /'remarks'/)
    expectQueryError(join('comments')(join('comments')(posts())), 'InvalidArgument', /joined twice/)
  })

  it('an unknown column in a where callback', () => {
    const q = where((p: Loose) => Pred.eq(p['titel'] as never, 'x'))(posts())
    expectQueryError(q, 'UnknownColumn', /schema 'post' has no column 'titel'/)
    const nested = where((_: Loose, $: Loose) =>
      $.exists('comments', ((c: Loose) => Pred.eq(c['bodee'] as never, 'x')) as never),
    )(posts())
    expectQueryError(nested, 'UnknownColumn', /schema 'comment' has no column 'bodee'/)
  })

  it('a binding that was not joined', () => {
    const q = where((_: Loose, $: Loose) => Pred.eq($.joined['author']?.['name'] as never, 'ada'))(posts())
    expectQueryError(q, 'UnknownAssociation', /'author' is not joined/)
  })

  it('a where callback that returns something other than a predicate', () => {
    expectQueryError(where(() => 5)(posts()), 'InvalidArgument', /predicate/)
    expectQueryError(where(() => undefined)(posts()), 'InvalidArgument', /predicate/)
    expectQueryError(where(() => ({ _tag: 'Compare' }))(posts()), 'InvalidArgument', /predicate/)
  })
})

describe('bad arguments', () => {
  it('limit and offset', () => {
    for (const n of [-1, 1.5, Number.NaN, Infinity]) {
      expectQueryError(Query.limit(n)(posts()), 'InvalidArgument', /limit expects a whole number/)
      expectQueryError(Query.offset(n)(posts()), 'InvalidArgument', /offset expects a whole number/)
    }
    expect(Query.toSql(Query.limit(-1)(posts()))).toMatchObject({ left: { schema: 'post' } })
  })

  it('orderBy: unknown column, unknown direction, junk items', () => {
    expectQueryError(orderBy(['titel'])(posts()), 'UnknownColumn', /'titel'/)
    expectQueryError(orderBy([['up', 'id']])(posts()), 'InvalidArgument', /cannot order by/)
    expectQueryError(orderBy([['constructor', 'id']])(posts()), 'InvalidArgument', /cannot order by/)
    expectQueryError(orderBy([5])(posts()), 'InvalidArgument', /cannot order by/)
    expectQueryError(orderBy([null])(posts()), 'InvalidArgument', /cannot order by/)
  })

  it('the first error wins and later combinators keep it', () => {
    const q = pipe(assoc(B, 'post', 'remarks')([]), Query.limit(1), Query.distinct())
    expectQueryError(q, 'UnknownAssociation', /'remarks'/)
  })
})

describe('prototype names in a model definition', () => {
  it('are reported, not looked up on Object.prototype', () => {
    const define = (defs: unknown) => Schema.model({ user, post, comment }, defs as never)
    const r1 = define({ post: { x: Schema.hasMany('constructor') } })
    expect(E.isLeft(r1) && r1.left.option).toBe('target')
    const r2 = define({ toString: { x: Schema.hasMany('comment') } })
    expect(E.isLeft(r2) && r2.left.reason).toMatch(/unknown schema 'toString'/)
    const r3 = define({ post: { x: Schema.manyToMany('user', { joinThrough: 'constructor' }) } })
    expect(E.isRight(r3) && r3.right.associations.get('post')?.get('x')).toMatchObject({
      joinSchema: null,
      joinTable: 'constructor',
    })
    const r4 = define({
      post: { comments: Schema.hasMany('comment', { preloadOrder: [['constructor', 'id']] } as never) },
    })
    expect(E.isLeft(r4) && r4.left.option).toBe('preloadOrder')
  })
})
