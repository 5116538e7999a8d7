// Type tests of projections: the row type of `Query.select` term by term, nullable columns of outer
// joins, the types of expressions and aggregates, relation aggregates, and the misuses the compiler
// rejects.
import type * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as O from 'fp-ts/lib/Option.js'
import type postgres from 'postgres'
import { describe, expectTypeOf, it } from 'vitest'
import { Column, Fn, Memory, Pg, Pred, Query, Run, Schema, type Interpreter } from '../../src/index.js'
import type { LoadError } from '../../src/run/Run.js'
import { Blog, user } from '../support/blog.js'

declare const sql: postgres.Sql
declare const tables: Memory.Tables
declare const interpreter: Interpreter

const order = Schema.table('order', 'orders', {
  id: Column.serial,
  user_id: Column.nullable(Column.integer),
  qty: Column.integer,
  cents: Column.bigint,
  total: Column.numeric,
  ratio: Column.double,
})
const Shop = Schema.modelOrThrow(
  { user, order },
  { user: { orders: Schema.hasMany('order', { foreignKey: 'user_id' }) } },
)

const posts = Query.from(Blog, 'post')

// The type of the rows `Pg.all` gives a query.
type RowsOf<Q extends Query.AnyQuery> = Query.RowOf<Q>
declare const rowOf: <Q extends Query.AnyQuery>(q: Q) => RowsOf<Q>

describe('projections', () => {
  it('the row type is the object of terms, term by term', () => {
    const q = pipe(
      posts,
      Query.select(p => ({ title: p.title, author: p.author_id, n: Fn.count() })),
    )
    type Row = { readonly title: string; readonly author: number | null; readonly n: number }
    expectTypeOf(Pg.all(q)(sql)()).toEqualTypeOf<Promise<E.Either<LoadError, ReadonlyArray<Row>>>>()
    expectTypeOf(Memory.all(q)(tables)()).toEqualTypeOf<Promise<E.Either<LoadError, ReadonlyArray<Row>>>>()
    expectTypeOf(Run.all(q)(interpreter)()).toEqualTypeOf<Promise<E.Either<LoadError, ReadonlyArray<Row>>>>()
    expectTypeOf(Pg.one(q)(sql)()).toEqualTypeOf<Promise<E.Either<LoadError, Row>>>()
    expectTypeOf(Pg.first(q)(sql)()).toEqualTypeOf<Promise<E.Either<LoadError, O.Option<Row>>>>()
    expectTypeOf(rowOf(q)).toEqualTypeOf<Row>()
  })

  it('combinators keep the projection; the last select wins; whole rows stay the default', () => {
    const q = pipe(
      posts,
      Query.select(p => ({ id: p.id })),
      Query.where(p => Pred.gt(p.id, 1)),
      Query.orderBy(['id']),
      Query.limit(2),
      Query.select(p => ({ title: p.title })),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{ readonly title: string }>()
    expectTypeOf(rowOf(posts)).toEqualTypeOf<Schema.Row<typeof Blog, 'post'>>()
  })

  it('a left join makes the joined columns nullable; an inner join does not', () => {
    const left = pipe(
      posts,
      Query.join('author', 'left'),
      Query.select((p, $) => ({ title: p.title, name: $.joined.author.name, email: $.joined.author.email })),
    )
    expectTypeOf(rowOf(left)).toEqualTypeOf<{
      readonly title: string
      readonly name: string | null
      readonly email: string | null
    }>()
    const inner = pipe(
      posts,
      Query.join('author'),
      Query.select((_, $) => ({ name: $.joined.author.name })),
    )
    expectTypeOf(rowOf(inner)).toEqualTypeOf<{ readonly name: string }>()
  })

  it('a right join makes the root (and earlier joins) nullable, a full join both sides', () => {
    const right = pipe(
      posts,
      Query.join('permalink'),
      Query.join('author', 'right'),
      Query.select((p, $) => ({ title: p.title, url: $.joined.permalink.url, name: $.joined.author.name })),
    )
    expectTypeOf(rowOf(right)).toEqualTypeOf<{
      readonly title: string | null
      readonly url: string | null
      readonly name: string
    }>()
    const full = pipe(
      posts,
      Query.join('author', 'full'),
      Query.select((p, $) => ({ title: p.title, name: $.joined.author.name })),
    )
    expectTypeOf(rowOf(full)).toEqualTypeOf<{
      readonly title: string | null
      readonly name: string | null
    }>()
  })
})

describe('expressions', () => {
  it('arithmetic, text and dates keep nullability', () => {
    const q = pipe(
      posts,
      Query.select(p => ({
        next: Fn.add(p.id, 1),
        maybe: Fn.mul(p.author_id, 2),
        both: Fn.sub(p.id, p.author_id),
        shout: Fn.upper(p.title),
        size: Fn.length(p.body),
        line: Fn.concat(p.title, ': ', p.body),
        month: Fn.dateTrunc('month', p.inserted_at),
        abs: Fn.abs(p.author_id),
        round: Fn.round(Fn.div(p.id, 3)),
      })),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{
      readonly next: number
      readonly maybe: number | null
      readonly both: number | null
      readonly shout: string
      readonly size: number
      readonly line: string
      readonly month: Date
      readonly abs: number | null
      readonly round: number
    }>()
  })

  it('coalesce is the first non-null type; nullif, case and casts', () => {
    const q = pipe(
      posts,
      Query.select(p => ({
        author: Fn.coalesce(p.author_id, 0),
        still: Fn.coalesce(p.author_id, p.author_id),
        some: Fn.coalesce(p.author_id, p.id),
        notOne: Fn.nullif(p.id, 1),
        size: Fn.case_([[Pred.gt(p.id, 2), 'big']], 'small'),
        maybe: Fn.case_([[Pred.gt(p.id, 2), p.title]]),
        text: Fn.cast(p.id, 'text'),
        big: Fn.cast(p.author_id, 'bigint'),
        day: Fn.cast(p.inserted_at, 'date'),
        cond: Pred.eq(p.published, true),
      })),
    )
    type Row = RowsOf<typeof q>
    expectTypeOf(rowOf(q)).toMatchTypeOf<Row>()
    expectTypeOf<Row['author']>().toEqualTypeOf<number>()
    expectTypeOf<Row['still']>().toEqualTypeOf<number | null>()
    expectTypeOf<Row['some']>().toEqualTypeOf<number>()
    expectTypeOf<Row['notOne']>().toEqualTypeOf<number | null>()
    expectTypeOf<Row['size']>().toMatchTypeOf<string>()
    expectTypeOf<Row['maybe']>().toEqualTypeOf<string | null>()
    expectTypeOf<Row['text']>().toEqualTypeOf<string>()
    expectTypeOf<Row['big']>().toEqualTypeOf<string | null>()
    expectTypeOf<Row['day']>().toEqualTypeOf<Date>()
    expectTypeOf<Row['cond']>().toEqualTypeOf<boolean>()
  })

  it('a condition output may be NULL exactly when one of its operands may be (three-valued logic)', () => {
    const q = pipe(
      Query.from(Shop, 'order'),
      Query.select(o => ({
        lt: Pred.lt(o.user_id, 3),
        eq: Pred.eq(o.qty, 3),
        eqTerm: Pred.eq(o.qty, o.user_id),
        eqBoth: Pred.eq(o.qty, o.id),
        isNull: Pred.isNull(o.user_id),
        isNotNull: Pred.isNotNull(o.user_id),
        andMaybe: Pred.and(Pred.eq(o.qty, 1), Pred.lt(o.user_id, 3)),
        andSure: Pred.and(Pred.eq(o.qty, 1), Pred.isNull(o.user_id)),
        orMaybe: Pred.or(Pred.lt(o.user_id, 3), Pred.eq(o.qty, 1)),
        notMaybe: Pred.not(Pred.lt(o.user_id, 3)),
        notSure: Pred.not(Pred.eq(o.qty, 1)),
        inMaybe: Pred.in(o.user_id, [1, 2]),
        inSure: Pred.in(o.qty, [1, 2]),
        rowMaybe: Pred.rowLt([o.qty, o.user_id], [1, 2]),
        rowSure: Pred.rowLt([o.qty, o.id], [1, 2]),
        exists: Pred.exists(Query.from(Shop, 'user')),
        coalesced: Fn.coalesce(Pred.lt(o.user_id, 3), false),
      })),
    )
    type Row = RowsOf<typeof q>
    expectTypeOf(rowOf(q)).toMatchTypeOf<Row>()
    expectTypeOf<Row['lt']>().toEqualTypeOf<boolean | null>()
    expectTypeOf<Row['eq']>().toEqualTypeOf<boolean>()
    expectTypeOf<Row['eqTerm']>().toEqualTypeOf<boolean | null>()
    expectTypeOf<Row['eqBoth']>().toEqualTypeOf<boolean>()
    expectTypeOf<Row['isNull']>().toEqualTypeOf<boolean>()
    expectTypeOf<Row['isNotNull']>().toEqualTypeOf<boolean>()
    expectTypeOf<Row['andMaybe']>().toEqualTypeOf<boolean | null>()
    expectTypeOf<Row['andSure']>().toEqualTypeOf<boolean>()
    expectTypeOf<Row['orMaybe']>().toEqualTypeOf<boolean | null>()
    expectTypeOf<Row['notMaybe']>().toEqualTypeOf<boolean | null>()
    expectTypeOf<Row['notSure']>().toEqualTypeOf<boolean>()
    expectTypeOf<Row['inMaybe']>().toEqualTypeOf<boolean | null>()
    expectTypeOf<Row['inSure']>().toEqualTypeOf<boolean>()
    expectTypeOf<Row['rowMaybe']>().toEqualTypeOf<boolean | null>()
    expectTypeOf<Row['rowSure']>().toEqualTypeOf<boolean>()
    expectTypeOf<Row['exists']>().toEqualTypeOf<boolean>()
    expectTypeOf<Row['coalesced']>().toEqualTypeOf<boolean>()
    // any condition, NULL or not, is still a `where` condition
    pipe(
      Query.from(Shop, 'order'),
      Query.where(o => Pred.lt(o.user_id, 3)),
    )
    pipe(
      Query.from(Shop, 'order'),
      Query.where(o => Pred.isNull(o.user_id)),
    )
  })

  it('misuses do not compile', () => {
    pipe(
      posts,
      // @ts-expect-error arithmetic on text
      Query.select(p => ({ x: Fn.add(p.title, 1) })),
    )
    pipe(
      posts,
      // @ts-expect-error lower of a number
      Query.select(p => ({ x: Fn.lower(p.id) })),
    )
    pipe(
      posts,
      // @ts-expect-error coalesce of a number with text
      Query.select(p => ({ x: Fn.coalesce(p.author_id, 'none') })),
    )
    pipe(
      posts,
      // @ts-expect-error dateTrunc of text, and an unknown unit
      Query.select(p => ({ x: Fn.dateTrunc('month', p.title), y: Fn.dateTrunc('fortnight', p.inserted_at) })),
    )
    pipe(
      posts,
      // @ts-expect-error an output must be a term
      Query.select(p => ({ x: p.id, y: 5 })),
    )
    pipe(
      posts,
      // @ts-expect-error no column 'titel'
      Query.select(p => ({ x: p.titel })),
    )
    // @ts-expect-error not a type a term may be cast to
    Fn.cast(Pred.value(1), 'money')
  })
})

describe('aggregates', () => {
  it('count is a number; sum and avg keep numbers and text; min, max, arrays and strings', () => {
    const q = pipe(
      Query.from(Shop, 'order'),
      Query.groupBy(o => [o.user_id]),
      Query.select(o => ({
        user: o.user_id,
        n: Fn.count(),
        qtys: Fn.count(o.qty),
        distinct: Fn.countDistinct(o.qty),
        qty: Fn.sum(o.qty),
        cents: Fn.sum(o.cents),
        total: Fn.sum(o.total),
        ratio: Fn.avg(o.ratio),
        mean: Fn.avg(o.total),
        least: Fn.min(o.qty),
        most: Fn.max(o.cents),
        all: Fn.boolAnd(Pred.gt(o.qty, 1)),
        any: Fn.boolOr(Pred.gt(o.qty, 1)),
        list: Fn.arrayAgg(o.qty, { orderBy: [['desc', o.id]] }),
        users: Fn.arrayAgg(o.user_id),
        text: Fn.stringAgg(Fn.cast(o.qty, 'text'), ', '),
        filtered: Fn.count({ filter: Pred.gt(o.qty, 1) }),
      })),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{
      readonly user: number | null
      readonly n: number
      readonly qtys: number
      readonly distinct: number
      readonly qty: number | null
      readonly cents: string | null
      readonly total: string | null
      readonly ratio: number | null
      readonly mean: string | null
      readonly least: number | null
      readonly most: string | null
      readonly all: boolean | null
      readonly any: boolean | null
      readonly list: ReadonlyArray<number> | null
      readonly users: ReadonlyArray<number> | null
      readonly text: string | null
      readonly filtered: number
    }>()
  })

  it('groupBy, having, distinctOn and an order by expressions and outputs keep the row type', () => {
    const q = pipe(
      posts,
      Query.groupBy(p => [p.author_id]),
      Query.having(() => Pred.gt(Fn.count(), 1)),
      Query.select(p => ({ author: p.author_id, n: Fn.count() })),
      Query.orderBy(['n', ['desc', 'author']]),
      Query.orderBy(() => [['desc', Fn.count()]]),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{ readonly author: number | null; readonly n: number }>()
    const latest = pipe(
      posts,
      Query.distinctOn(p => [p.author_id]),
      Query.orderBy(p => [['desc', p.inserted_at]]),
    )
    expectTypeOf(rowOf(latest)).toEqualTypeOf<Schema.Row<typeof Blog, 'post'>>()
    pipe(
      posts,
      Query.select(p => ({ n: p.id })),
      // @ts-expect-error neither an output nor a column
      Query.orderBy(['m']),
    )
    pipe(
      posts,
      // @ts-expect-error an output name before the select that makes it
      Query.orderBy(['n']),
      Query.select(p => ({ n: p.id })),
    )
  })
})

describe('relation aggregates', () => {
  it('count is a number (0 with none); sum, min and max are nullable', () => {
    const q = pipe(
      posts,
      Query.select((p, $) => ({
        title: p.title,
        comments: $.count('comments'),
        open: $.count('comments', c => Pred.eq(c.public, true)),
        authors: $.count('commentsAuthors'),
        ids: $.sum('comments', c => c.id),
        last: $.max('comments', c => c.inserted_at),
        first: $.min('publicComments', c => c.body),
        mean: $.avg('tags', t => t.id),
      })),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{
      readonly title: string
      readonly comments: number
      readonly open: number
      readonly authors: number
      readonly ids: number | null
      readonly last: Date | null
      readonly first: string | null
      readonly mean: number | null
    }>()
    const shop = pipe(
      Query.from(Shop, 'user'),
      Query.select((_, $) => ({ spent: $.sum('orders', o => o.total), nested: $.sum('orders', o => o.qty) })),
    )
    expectTypeOf(rowOf(shop)).toEqualTypeOf<{
      readonly spent: string | null
      readonly nested: number | null
    }>()
  })

  it('in a where and an order; misspelled associations and columns do not compile', () => {
    pipe(
      Query.from(Blog, 'tag'),
      Query.where((_, $) => Pred.gt($.count('posts'), 3)),
      Query.orderBy((_, $) => [['desc', $.count('posts')]]),
    )
    pipe(
      posts,
      // @ts-expect-error no association 'coments'
      Query.select((_, $) => ({ n: $.count('coments') })),
    )
    pipe(
      posts,
      // @ts-expect-error 'title' is not a comment column
      Query.select((_, $) => ({ n: $.sum('comments', c => c.title2) })),
    )
    pipe(
      posts,
      // @ts-expect-error 'comments' was not joined
      Query.select((_, $) => ({ n: $.joined.comments.id })),
    )
  })
})
