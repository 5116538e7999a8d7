// Everyday product queries (issue 15's acceptance): each query of ./everyday-queries.ts runs on
// PostgreSQL and in the memory interpreter (fed the database's own rows), and both must give the result
// computed here from the fixture's JavaScript data (./everyday-fixture.ts): by a plain reference over
// the arrays, or by hand where the comment shows the arithmetic. No expected value is copied from an
// engine's output. Text is compared by code point, the collation of the test databases (README).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Column, Fn, Memory, Pg, Pred, Prepared, Query } from '../../src/index.js'
import * as t from 'io-ts'
import { data, Everyday, money, openEveryday, type Env } from './everyday-fixture.js'
import * as Q from './everyday-queries.js'

let env: Env
beforeAll(async () => {
  env = await openEveryday()
})
afterAll(async () => env.db.close())

type Row = Readonly<Record<string, unknown>>

const byJson = (rs: ReadonlyArray<unknown>): ReadonlyArray<unknown> =>
  [...rs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))

// Runs `q` on both engines and expects `expected` from each: in order when `ordered`, else as sets.
const expectRows = async (q: Query.AnyQuery, expected: ReadonlyArray<Row>, ordered = true): Promise<void> => {
  const pg = await Pg.all(q)(env.db.sql)()
  const mem = await Memory.all(q)(env.tables)()
  const norm = (rs: ReadonlyArray<unknown>) => (ordered ? rs : byJson(rs))
  expect(E.map(norm)(pg), 'PostgreSQL').toEqual(E.right(norm(expected)))
  expect(E.map(norm)(mem), 'memory').toEqual(E.right(norm(expected)))
}

// Plain references over the fixture's arrays.
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const countWhere = <A>(xs: ReadonlyArray<A>, f: (x: A) => boolean): number => xs.filter(f).length
const monthOf = (d: Date): Date => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1))
const orderById = new Map(data.orders.map(o => [o.id, o]))
const paid = (orderId: number): boolean => orderById.get(orderId)?.status === 'paid'

describe('the blog', () => {
  it('posts with their comment and approved-comment counts, most commented first', async () => {
    const expected = data.articles
      .map(a => ({
        title: a.title,
        remarks: countWhere(data.remarks, r => r.article_id === a.id),
        approved: countWhere(data.remarks, r => r.article_id === a.id && r.approved),
      }))
      .sort((x, y) => y.remarks - x.remarks || byText(x.title, y.title))
    // Hello World has 3 (2 approved), Winter 2; articles 4, 7 and 8 have none (0, not NULL)
    expect(expected.slice(0, 2)).toEqual([
      { title: 'Hello World', remarks: 3, approved: 2 },
      { title: 'Winter', remarks: 2, approved: 2 },
    ])
    await expectRows(Q.withRemarkCounts, expected)
  })

  it('the top 3 authors by published posts (a relation count with a filter, limit)', async () => {
    // Ann: 1, 2, 8 (4 is a draft); Bob: 3, 6; Cid: 5; Dee: none
    await expectRows(Q.topAuthors, [
      { name: 'Ann', published: 3 },
      { name: 'Bob', published: 2 },
      { name: 'Cid', published: 1 },
    ])
  })

  it('tags used more than twice (many-to-many join, group by the tag, having)', async () => {
    const uses = data.labels.map(l => ({
      label: l.name,
      uses: countWhere(data.articles_labels, x => x.label_id === l.id),
    }))
    const expected = uses.filter(u => u.uses > 2).sort((x, y) => y.uses - x.uses || byText(x.label, y.label))
    expect(expected.map(u => u.label)).toEqual(['sql', 'ts'])
    await expectRows(Q.popularLabels, expected, false)
  })

  it('the latest post of each author: distinct on, and a left lateral join', async () => {
    const latest = (authorId: number) =>
      [...data.articles]
        .filter(a => a.author_id === authorId)
        .sort((x, y) => y.created_at.getTime() - x.created_at.getTime() || y.id - x.id)[0]
    // Ann's articles 7 (no author) and 8 share a timestamp with each other: the id breaks the tie
    await expectRows(
      Q.latestPerAuthor,
      [1, 2, 3].map(id => ({ author: id, title: latest(id)?.title })),
    )
    await expectRows(
      Q.latestPerAuthorLateral,
      data.authors.map(a => ({ name: a.name, latest: latest(a.id)?.title ?? null })),
    )
  })

  it('search by lower(title) like', async () => {
    await expectRows(Q.search('HELLO'), [
      { id: 1, title: 'Hello World' },
      { id: 5, title: 'hello again' },
    ])
  })

  it('pagination: limit/offset, and keyset (created_at, id) < (at, id) across a tie', async () => {
    const newest = [...data.articles].sort(
      (x, y) => y.created_at.getTime() - x.created_at.getTime() || y.id - x.id,
    )
    expect(newest.map(a => a.id)).toEqual([8, 7, 6, 5, 4, 3, 2, 1])
    await expectRows(Q.page(1, 3), [{ id: 5 }, { id: 4 }, { id: 3 }])
    await expectRows(Q.page(3, 3), [])
    // after article 8: article 7 has the same created_at and a smaller id
    const eight = data.articles.find(a => a.id === 8)
    if (eight === undefined) throw new Error('fixture')
    await expectRows(Q.after(eight.created_at, eight.id, 3), [{ id: 7 }, { id: 6 }, { id: 5 }])
  })

  it('keyset pagination prepared: the cursor and the page size as placeholders', async () => {
    const next = Prepared.make({ at: Column.DateCodec, id: t.number, size: t.number }, p =>
      pipe(
        Query.from(Everyday, 'article'),
        Query.where(a => Pred.rowLt([a.created_at, a.id], [p.at, p.id])),
        Query.orderBy([
          ['desc', 'created_at'],
          ['desc', 'id'],
        ]),
        Query.limit(p.size),
        Query.select(a => ({ id: a.id })),
      ),
    )
    const args = { at: new Date('2026-03-01T10:00:00Z'), id: 6, size: 2 }
    const pg = await Pg.prepared(next)(args)(env.db.sql)()
    const mem = await Memory.prepared(next)(args)(env.tables)()
    // after article 6 (March 1st): 5 (Feb 20), 4 (Feb 14)
    expect(pg).toEqual(E.right([{ id: 5 }, { id: 4 }]))
    expect(mem).toEqual(pg)
    expect(await Pg.prepared(next)({ ...args, size: 3 })(env.db.sql)()).toEqual(
      E.right([{ id: 5 }, { id: 4 }, { id: 3 }]),
    )
  })

  it('string_agg of tag names, ordered, per post (inner join: posts without tags are absent)', async () => {
    const expected = data.articles
      .map(a => ({
        id: a.id,
        labels: data.articles_labels
          .filter(x => x.article_id === a.id)
          .map(x => data.labels.find(l => l.id === x.label_id)?.name ?? '?')
          .sort(byText)
          .join(', '),
      }))
      .filter(r => r.labels !== '')
    expect(expected.find(r => r.id === 6)).toEqual({ id: 6, labels: 'life, ts' })
    await expectRows(Q.labelList, expected)
  })

  it('array_agg of remark ids per post, largest first', async () => {
    const ids = [...new Set(data.remarks.map(r => r.article_id))].sort((a, b) => a - b)
    await expectRows(
      Q.remarkIds,
      ids.map(id => ({
        article: id,
        ids: data.remarks
          .filter(r => r.article_id === id)
          .map(r => r.id)
          .sort((a, b) => b - a),
      })),
    )
  })

  it('bool_or and bool_and per author', async () => {
    await expectRows(
      Q.authorFlags,
      [1, 2, 3].map(id => {
        const own = data.articles.filter(a => a.author_id === id)
        return { author: id, hasDraft: own.some(a => !a.published), allRead: own.every(a => a.views >= 4) }
      }),
    )
  })

  it('a 2-hop through counted in a where and a projection', async () => {
    const received = (authorId: number) =>
      countWhere(data.remarks, r =>
        data.articles.some(a => a.id === r.article_id && a.author_id === authorId),
      )
    const expected = data.authors
      .map(a => ({ name: a.name, received: received(a.id) }))
      .filter(r => r.received >= 2)
    expect(expected).toEqual([
      { name: 'Ann', received: 4 },
      { name: 'Bob', received: 3 },
    ])
    await expectRows(Q.discussed, expected)
  })

  it("posts tagged 'sql' with their author's name (a left join exposing columns)", async () => {
    const sqlId = data.labels.find(l => l.name === 'sql')?.id
    const expected = data.articles
      .filter(a => data.articles_labels.some(x => x.article_id === a.id && x.label_id === sqlId))
      .map(a => ({ title: a.title, by: data.authors.find(u => u.id === a.author_id)?.name ?? null }))
      .sort((x, y) => byText(x.title, y.title))
    await expectRows(Q.taggedSql, expected)
  })

  it('a projection as a from source: months active and busiest month per author', async () => {
    const expected = [1, 2, 3].map(id => {
      const perMonth = new Map<number, number>()
      for (const a of data.articles.filter(x => x.author_id === id)) {
        const m = monthOf(a.created_at).getTime()
        perMonth.set(m, (perMonth.get(m) ?? 0) + 1)
      }
      return { author: id, months: perMonth.size, most: Math.max(...perMonth.values()) }
    })
    expect(expected[0]).toEqual({ author: 1, months: 3, most: 2 })
    await expectRows(Q.prolific, expected)
  })
})

describe('the shop', () => {
  it('revenue per month: sum of qty * unit_price per date_trunc(month), paid orders only', async () => {
    const perMonth = new Map<number, number>()
    for (const i of data.order_items) {
      const o = orderById.get(i.order_id)
      if (o === undefined || o.status !== 'paid') continue
      const m = monthOf(o.placed_at).getTime()
      perMonth.set(m, (perMonth.get(m) ?? 0) + i.qty * i.unit_price)
    }
    // in cents: January 2 * 999 + 2450 + 999 = 5447, February 10000 + 3 * 899 = 12697, March 2450 + 5 * 999 = 7445
    expect([...perMonth.values()]).toEqual([5447, 12697, 7445])
    const pg = await Pg.all(Q.revenuePerMonth)(env.db.sql)()
    const mem = await Memory.all(Q.revenuePerMonth)(env.tables)()
    expect(mem).toEqual(pg)
    if (E.isLeft(pg)) throw new Error(pg.left.message)
    expect(pg.right.map(r => r.month)).toEqual([...perMonth.keys()].map(k => new Date(k)))
    // exact numeric text: integer * numeric(10, 2) is numeric of scale 2, and so is its sum
    expect(pg.right.map(r => r.revenue)).toEqual([...perMonth.values()].map(money))
  })

  it("orders with their customer's name: a left join's column is nullable", async () => {
    await expectRows(
      Q.ordersWithCustomer,
      data.orders.map(o => ({
        id: o.id,
        customer: data.customers.find(c => c.id === o.customer_id)?.name ?? null,
      })),
    )
  })

  it('customers who never ordered: $.notExists and a correlated Pred.notExists', async () => {
    const expected = data.customers
      .filter(c => !data.orders.some(o => o.customer_id === c.id))
      .map(c => ({ name: c.name }))
    expect(expected).toEqual([{ name: 'Dana' }])
    await expectRows(Q.neverOrdered, expected, false)
    await expectRows(Q.neverOrderedSub, expected, false)
  })

  it('products never ordered: left join + is null', async () => {
    const expected = data.products
      .filter(p => !data.order_items.some(i => i.product_id === p.id))
      .map(p => ({ name: p.name }))
    expect(expected).toEqual([{ name: 'Doohickey' }])
    await expectRows(Q.neverSold, expected, false)
  })

  it('average rating per product with a filtered count: grouped, and as relation aggregates', async () => {
    const of = (id: number) => data.reviews.filter(r => r.product_id === id).map(r => r.rating)
    const mean = (xs: ReadonlyArray<number>) =>
      xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length
    // Widget: (5 + 4 + 2) / 3, the nearest double to PostgreSQL's 3.6666666666666667
    expect(mean(of(1))).toBe(Number('3.6666666666666667'))
    const reviewed = [...new Set(data.reviews.map(r => r.product_id))].sort((a, b) => a - b)
    await expectRows(
      Q.ratings,
      reviewed.map(id => ({
        product: id,
        avg: mean(of(id)),
        good: countWhere(of(id), x => x >= 4),
        reviews: of(id).length,
      })),
    )
    await expectRows(
      Q.ratingsByProduct,
      [...data.products]
        .sort((x, y) => byText(x.name, y.name))
        .map(p => ({ name: p.name, avg: mean(of(p.id)), good: countWhere(of(p.id), x => x >= 4) })),
    )
  })

  it('customers with more than one order (having)', async () => {
    const expected = data.customers
      .map(c => ({ name: c.name, orders: countWhere(data.orders, o => o.customer_id === c.id) }))
      .filter(r => r.orders > 1)
    expect(expected).toEqual([{ name: 'Alice', orders: 3 }])
    await expectRows(Q.loyal, expected, false)
  })

  it("each product's last order date: a scalar subquery, and a relation max over a through", async () => {
    const last = (productId: number) => {
      const ats = data.order_items
        .filter(i => i.product_id === productId)
        .map(i => orderById.get(i.order_id)?.placed_at.getTime() ?? NaN)
      return ats.length === 0 ? null : new Date(Math.max(...ats))
    }
    const expected = [...data.products]
      .sort((x, y) => byText(x.name, y.name))
      .map(p => ({ name: p.name, last: last(p.id) }))
    expect(expected[0]).toEqual({ name: 'Doohickey', last: null })
    await expectRows(Q.lastOrdered, expected)
    await expectRows(Q.lastOrderedThrough, expected)
  })

  it('in (subquery): customers who bought a Gizmo', async () => {
    const orders = data.order_items.filter(i => i.product_id === 3).map(i => i.order_id)
    const expected = data.customers
      .filter(c => data.orders.some(o => orders.includes(o.id) && o.customer_id === c.id))
      .map(c => ({ name: c.name }))
    expect(expected).toEqual([{ name: 'Bruno' }])
    await expectRows(Q.gizmoBuyers, expected, false)
  })

  it('counting through throughs: items (2 hops) and distinct products (3 hops) per customer', async () => {
    const expected = [...data.customers]
      .sort((x, y) => byText(x.name, y.name))
      .map(c => {
        const own = data.orders.filter(o => o.customer_id === c.id).map(o => o.id)
        const items = data.order_items.filter(i => own.includes(i.order_id))
        return { name: c.name, items: items.length, products: new Set(items.map(i => i.product_id)).size }
      })
    // Alice: orders 1, 2, 5 hold 4 items of 2 products (each product counts once)
    expect(expected[0]).toEqual({ name: 'Alice', items: 4, products: 2 })
    await expectRows(Q.basket, expected)
  })

  it('case when buckets over a numeric price compared with decimal text', async () => {
    const band = (cents: number) => (cents < 500 ? 'cheap' : cents < 5000 ? 'mid' : 'premium')
    await expectRows(
      Q.priceBands,
      [...data.products]
        .sort((x, y) => byText(x.name, y.name))
        .map(p => ({ name: p.name, band: band(p.price) })),
    )
  })

  it('coalesce of nullable columns', async () => {
    await expectRows(
      Q.displayNames,
      data.customers.map(c => ({ id: c.id, shown: c.nickname ?? c.name, city: c.city ?? 'unknown' })),
    )
  })

  it('count(distinct) of buyers per product (NULL customers not counted)', async () => {
    const sold = [...new Set(data.order_items.map(i => i.product_id))].sort((a, b) => a - b)
    const expected = sold.map(id => ({
      product: id,
      buyers: new Set(
        data.order_items
          .filter(i => i.product_id === id)
          .map(i => orderById.get(i.order_id)?.customer_id ?? null)
          .filter(c => c !== null),
      ).size,
    }))
    expect(expected).toEqual([
      { product: 1, buyers: 2 },
      { product: 2, buyers: 2 },
      { product: 3, buyers: 1 },
    ])
    await expectRows(Q.buyers, expected)
  })

  it('a sum of bigints at 2^53 + 1 is exact decimal text', async () => {
    // 9007199254740992 + 1, as BigInt: a JavaScript number would round it back to 2^53
    const total = data.ledger.reduce((s, e) => s + BigInt(e.amount), 0n)
    expect(total.toString()).toBe('9007199254740993')
    await expectRows(Q.ledgerTotal, [{ total: total.toString(), n: data.ledger.length }])
  })

  it("each order's total (a relation sum of an expression) and number of lines", async () => {
    const pg = await Pg.all(Q.orderTotals)(env.db.sql)()
    const mem = await Memory.all(Q.orderTotals)(env.tables)()
    expect(mem).toEqual(pg)
    if (E.isLeft(pg)) throw new Error(pg.left.message)
    expect(pg.right).toEqual(
      data.orders.map(o => {
        const items = data.order_items.filter(i => i.order_id === o.id)
        const cents = items.reduce((s, i) => s + i.qty * i.unit_price, 0)
        return { id: o.id, total: items.length === 0 ? null : money(cents), lines: items.length }
      }),
    )
  })

  it('revenue per customer: a grouped derived table, left joined, 0 for none', async () => {
    const cents = (cid: number) =>
      data.order_items
        .filter(i => paid(i.order_id) && orderById.get(i.order_id)?.customer_id === cid)
        .reduce((s, i) => s + i.qty * i.unit_price, 0)
    const pg = await Pg.all(Q.revenuePerCustomer)(env.db.sql)()
    const mem = await Memory.all(Q.revenuePerCustomer)(env.tables)()
    expect(mem).toEqual(pg)
    if (E.isLeft(pg)) throw new Error(pg.left.message)
    const expected = data.customers
      .map(c => ({ name: c.name, cents: cents(c.id) }))
      .sort((x, y) => y.cents - x.cents || byText(x.name, y.name))
    // Bruno 12697, Alice 5447 + 2450 = 7897; Chen's only order is cancelled
    expect(expected.map(r => r.name)).toEqual(['Bruno', 'Alice', 'Chen', 'Dana'])
    // exact numeric text, ordered by value; '0' (the coalesce's value) for none
    expect(pg.right).toEqual(
      expected.map(r => ({ name: r.name, revenue: r.cents === 0 ? '0' : money(r.cents) })),
    )
  })

  it('stock value (integer times numeric: exact numeric text), ordered by its value', async () => {
    const expected = data.products
      .filter(p => p.stock > 0)
      .map(p => ({ name: p.name, cents: p.stock * p.price }))
      .sort((x, y) => y.cents - x.cents)
      .map(p => ({ name: p.name, value: money(p.cents) }))
    await expectRows(Q.stockValue, expected)
  })

  it('a grouped query selecting a column neither grouped nor aggregated is a QueryError before any SQL', async () => {
    const r = Query.toSql(Q.ungrouped)
    expect(E.isLeft(r) && r.left).toMatchObject({
      _tag: 'QueryError',
      message: expect.stringMatching(/'order\.status' is neither grouped/),
    })
    const pg = await Pg.all(Q.ungrouped)(env.db.sql)()
    const mem = await Memory.all(Q.ungrouped)(env.tables)()
    expect(E.isLeft(pg) && pg.left._tag).toBe('QueryError')
    expect(mem).toEqual(pg)
  })

  it('an aggregate in a where is a QueryError', async () => {
    const q = pipe(
      Query.from(Everyday, 'order'),
      Query.where(() => Pred.gt(Fn.count(), 1)),
    )
    const pg = await Pg.all(q)(env.db.sql)()
    expect(E.isLeft(pg) && pg.left).toMatchObject({
      _tag: 'QueryError',
      message: expect.stringMatching(/having/),
    })
    expect(await Memory.all(q)(env.tables)()).toEqual(pg)
  })
})
