// Everyday product queries over the blog + shop model of ./everyday-fixture.ts, written as a demanding
// user would, through the public API only. test/query/everyday.test.ts runs each on PostgreSQL and in
// memory against a result computed by hand from the fixture's data; test/types/everyday.test-d.ts pins
// each row type.
import { pipe } from 'fp-ts/lib/function.js'
import { Fn, Pred, Query } from '../../src/index.js'
import { Everyday } from './everyday-fixture.js'

const articles = Query.from(Everyday, 'article')

// 1. Posts with their comment count and approved-comment count, most commented first.
export const withRemarkCounts = pipe(
  articles,
  Query.select((a, $) => ({
    title: a.title,
    remarks: $.count('remarks'),
    approved: $.count('remarks', r => Pred.eq(r.approved, true)),
  })),
  Query.orderBy([['desc', 'remarks'], 'title']),
)

// 2. Revenue per month: sum of qty * unit_price (numeric) per date_trunc('month', placed_at), paid only.
export const revenuePerMonth = pipe(
  Query.from(Everyday, 'item'),
  Query.join('order'),
  Query.where((_, $) => Pred.eq($.joined.order.status, 'paid')),
  Query.groupBy((_, $) => [Fn.dateTrunc('month', $.joined.order.placed_at)]),
  Query.select((i, $) => ({
    month: Fn.dateTrunc('month', $.joined.order.placed_at),
    revenue: Fn.sum(Fn.mul(i.qty, i.unit_price)),
  })),
  Query.orderBy(['month']),
)

// 3. The top 3 authors by number of published posts (ties by name).
export const topAuthors = pipe(
  Query.from(Everyday, 'author'),
  Query.select((a, $) => ({ name: a.name, published: $.count('articles', p => Pred.eq(p.published, true)) })),
  Query.orderBy([['desc', 'published'], 'name']),
  Query.limit(3),
)

// 4. Tags used more than 2 times.
export const popularLabels = pipe(
  Query.from(Everyday, 'article'),
  Query.join('labels'),
  Query.groupBy((_, $) => [$.joined.labels.id]),
  Query.having(() => Pred.gt(Fn.count(), 2)),
  Query.select((_, $) => ({ label: $.joined.labels.name, uses: Fn.count() })),
  Query.orderBy([['desc', 'uses']]),
)

// 5a. The latest post of each author: distinct on.
export const latestPerAuthor = pipe(
  articles,
  Query.where(a => Pred.isNotNull(a.author_id)),
  Query.distinctOn(a => [a.author_id]),
  Query.orderBy([
    ['desc', 'created_at'],
    ['desc', 'id'],
  ]),
  Query.select(a => ({ author: a.author_id, title: a.title })),
)

// 5b. The latest post of each author: a lateral join, authors without posts kept.
export const latestPerAuthorLateral = pipe(
  Query.from(Everyday, 'author'),
  Query.joinLateral(
    'latest',
    a =>
      pipe(
        Query.from(Everyday, 'article'),
        Query.where(p => Pred.eq(p.author_id, a.id)),
        Query.select(p => ({ title: p.title })),
        Query.orderBy([
          ['desc', 'created_at'],
          ['desc', 'id'],
        ]),
        Query.limit(1),
      ),
    'left',
  ),
  Query.select((a, $) => ({ name: a.name, latest: $.joined.latest.title })),
  Query.orderBy(['name']),
)

// 6. Orders with their customer's name (a guest order has none).
export const ordersWithCustomer = pipe(
  Query.from(Everyday, 'order'),
  Query.join('customer', 'left'),
  Query.select((o, $) => ({ id: o.id, customer: $.joined.customer.name })),
  Query.orderBy(['id']),
)

// 7a. Customers who never ordered: the association's not exists.
export const neverOrdered = pipe(
  Query.from(Everyday, 'customer'),
  Query.where((_, $) => $.notExists('orders')),
  Query.select(c => ({ name: c.name })),
)

// 7b. The same with an explicit correlated not exists.
export const neverOrderedSub = pipe(
  Query.from(Everyday, 'customer'),
  Query.where(c =>
    Pred.notExists(
      pipe(
        Query.from(Everyday, 'order'),
        Query.where(o => Pred.eq(o.customer_id, c.id)),
      ),
    ),
  ),
  Query.select(c => ({ name: c.name })),
)

// 8. Products never ordered: left join + is null.
export const neverSold = pipe(
  Query.from(Everyday, 'product'),
  Query.join('items', 'left'),
  Query.where((_, $) => Pred.isNull($.joined.items.id)),
  Query.select(p => ({ name: p.name })),
)

// 9. Average rating per product, with the count of good (>= 4) ratings.
export const ratings = pipe(
  Query.from(Everyday, 'review'),
  Query.groupBy(r => [r.product_id]),
  Query.select(r => ({
    product: r.product_id,
    avg: Fn.avg(r.rating),
    good: Fn.count({ filter: Pred.gte(r.rating, 4) }),
    reviews: Fn.count(),
  })),
  Query.orderBy(['product']),
)

// 9b. The same as relation aggregates, products without reviews included.
export const ratingsByProduct = pipe(
  Query.from(Everyday, 'product'),
  Query.select((p, $) => ({
    name: p.name,
    avg: $.avg('reviews', r => r.rating),
    good: $.count('reviews', r => Pred.gte(r.rating, 4)),
  })),
  Query.orderBy(['name']),
)

// 10. Search by lower(title) like.
export const search = (needle: string) =>
  pipe(
    articles,
    Query.where(a => Pred.like(Fn.lower(a.title), `%${needle.toLowerCase()}%`)),
    Query.select(a => ({ id: a.id, title: a.title })),
    Query.orderBy(['id']),
  )

// 11. A page: newest first, limit/offset.
export const page = (n: number, size: number) =>
  pipe(
    articles,
    Query.orderBy([
      ['desc', 'created_at'],
      ['desc', 'id'],
    ]),
    Query.limit(size),
    Query.offset(n * size),
    Query.select(a => ({ id: a.id })),
  )

// 12. Keyset pagination: (created_at, id) < (at, id), newest first.
export const after = (at: Date, id: number, size: number) =>
  pipe(
    articles,
    Query.where(a => Pred.rowLt([a.created_at, a.id], [at, id])),
    Query.orderBy([
      ['desc', 'created_at'],
      ['desc', 'id'],
    ]),
    Query.limit(size),
    Query.select(a => ({ id: a.id })),
  )

// 13. Customers with more than one order, via having.
export const loyal = pipe(
  Query.from(Everyday, 'order'),
  Query.join('customer'),
  Query.groupBy((_, $) => [$.joined.customer.id]),
  Query.having(() => Pred.gt(Fn.count(), 1)),
  Query.select((_, $) => ({ name: $.joined.customer.name, orders: Fn.count() })),
)

// 14a. A scalar subquery column: each product's last order date.
export const lastOrdered = pipe(
  Query.from(Everyday, 'product'),
  Query.select(p => ({
    name: p.name,
    last: Fn.scalar(
      pipe(
        Query.from(Everyday, 'item'),
        Query.join('order'),
        Query.where(i => Pred.eq(i.product_id, p.id)),
        Query.select((_, $) => ({ at: Fn.max($.joined.order.placed_at) })),
      ),
    ),
  })),
  Query.orderBy(['name']),
)

// 14b. The same as a relation aggregate over a through.
export const lastOrderedThrough = pipe(
  Query.from(Everyday, 'product'),
  Query.select((p, $) => ({ name: p.name, last: $.max('orders', o => o.placed_at) })),
  Query.orderBy(['name']),
)

// 15. in (subquery): customers who bought a Gizmo.
export const gizmoBuyers = pipe(
  Query.from(Everyday, 'customer'),
  Query.where(c =>
    Pred.in(
      c.id,
      pipe(
        Query.from(Everyday, 'order'),
        Query.join('items'),
        Query.where((_, $) => Pred.eq($.joined.items.product_id, 3)),
        Query.select(o => ({ id: o.customer_id })),
      ),
    ),
  ),
  Query.select(c => ({ name: c.name })),
)

// 16. Counting through a through: the items (2 hops) and the distinct products (3 hops) of each customer.
export const basket = pipe(
  Query.from(Everyday, 'customer'),
  Query.select((c, $) => ({ name: c.name, items: $.count('items'), products: $.count('products') })),
  Query.orderBy(['name']),
)

// 17. case when buckets of price.
export const priceBands = pipe(
  Query.from(Everyday, 'product'),
  Query.select(p => ({
    name: p.name,
    band: Fn.case_(
      [
        [Pred.lt(p.price, '5'), 'cheap'],
        [Pred.lt(p.price, '50'), 'mid'],
      ],
      'premium',
    ),
  })),
  Query.orderBy(['name']),
)

// 18. coalesce of nullable columns: the name to show.
export const displayNames = pipe(
  Query.from(Everyday, 'customer'),
  Query.select(c => ({
    id: c.id,
    shown: Fn.coalesce(c.nickname, c.name),
    city: Fn.coalesce(c.city, 'unknown'),
  })),
  Query.orderBy(['id']),
)

// 19. string_agg of tag names, ordered, per post.
export const labelList = pipe(
  articles,
  Query.join('labels'),
  Query.groupBy(a => [a.id]),
  Query.select((a, $) => ({
    id: a.id,
    labels: Fn.stringAgg($.joined.labels.name, ', ', { orderBy: [$.joined.labels.name] }),
  })),
  Query.orderBy(['id']),
)

// 20. array_agg of remark ids per post, newest (largest id) first.
export const remarkIds = pipe(
  Query.from(Everyday, 'remark'),
  Query.groupBy(r => [r.article_id]),
  Query.select(r => ({ article: r.article_id, ids: Fn.arrayAgg(r.id, { orderBy: [['desc', r.id]] }) })),
  Query.orderBy(['article']),
)

// 21. bool_or / bool_and: per author, has a draft, all popular (views >= 4).
export const authorFlags = pipe(
  articles,
  Query.where(a => Pred.isNotNull(a.author_id)),
  Query.groupBy(a => [a.author_id]),
  Query.select(a => ({
    author: a.author_id,
    hasDraft: Fn.boolOr(Pred.eq(a.published, false)),
    allRead: Fn.boolAnd(Pred.gte(a.views, 4)),
  })),
  Query.orderBy(['author']),
)

// 22. count(distinct): distinct buyers per product (guest orders not counted).
export const buyers = pipe(
  Query.from(Everyday, 'item'),
  Query.join('order'),
  Query.groupBy(i => [i.product_id]),
  Query.select((i, $) => ({ product: i.product_id, buyers: Fn.countDistinct($.joined.order.customer_id) })),
  Query.orderBy(['product']),
)

// 23. A sum of bigints beyond 2^53: exact decimal text.
export const ledgerTotal = pipe(
  Query.from(Everyday, 'entry'),
  Query.select(e => ({ total: Fn.sum(e.amount), n: Fn.count() })),
)

// 24. Each order's total (a relation sum of an expression), and its number of items.
export const orderTotals = pipe(
  Query.from(Everyday, 'order'),
  Query.select((o, $) => ({
    id: o.id,
    total: $.sum('items', i => Fn.mul(i.qty, i.unit_price)),
    lines: $.count('items'),
  })),
  Query.orderBy(['id']),
)

// 25. Revenue per customer: a grouped derived table joined to customers, 0 for none.
const spent = pipe(
  Query.from(Everyday, 'order'),
  Query.join('items'),
  Query.where(o => Pred.eq(o.status, 'paid')),
  Query.groupBy(o => [o.customer_id]),
  Query.select((o, $) => ({
    customer: o.customer_id,
    revenue: Fn.sum(Fn.mul($.joined.items.qty, $.joined.items.unit_price)),
  })),
)
export const revenuePerCustomer = pipe(
  Query.from(Everyday, 'customer'),
  Query.joinQuery(spent, 'left', { as: 'spent', on: (s, c) => Pred.eq(s.customer, c.id) }),
  Query.select((c, $) => ({ name: c.name, revenue: Fn.coalesce($.joined.spent.revenue, '0') })),
  Query.orderBy([['desc', 'revenue'], 'name']),
)

// 26. Authors' remarks received through posts (a 2-hop through) in a where: authors whose posts got >= 2 remarks.
export const discussed = pipe(
  Query.from(Everyday, 'author'),
  Query.where((_, $) => Pred.gte($.count('remarksReceived'), 2)),
  Query.select((a, $) => ({ name: a.name, received: $.count('remarksReceived') })),
  Query.orderBy(['name']),
)

// 27. Posts tagged 'sql' with their author's name, via a 2-hop join path and a filter on a joined binding.
export const taggedSql = pipe(
  articles,
  Query.join('labels'),
  Query.join('author', 'left'),
  Query.where((_, $) => Pred.eq($.joined.labels.name, 'sql')),
  Query.select((a, $) => ({ title: a.title, by: $.joined.author.name })),
  Query.orderBy(['title']),
)

// 28. Monthly post counts per author over a derived table: authors averaging more than one post a month.
const monthly = pipe(
  articles,
  Query.where(a => Pred.isNotNull(a.author_id)),
  Query.groupBy(a => [a.author_id, Fn.dateTrunc('month', a.created_at)]),
  Query.select(a => ({ author: a.author_id, month: Fn.dateTrunc('month', a.created_at), posts: Fn.count() })),
)
export const prolific = pipe(
  Query.fromQuery(monthly),
  Query.groupBy(m => [m.author]),
  Query.select(m => ({ author: m.author, months: Fn.count(), most: Fn.max(m.posts) })),
  Query.orderBy(['author']),
)

// 29. Stock value per product: integer times numeric (exact numeric), ordered by its value.
export const stockValue = pipe(
  Query.from(Everyday, 'product'),
  Query.where(p => Pred.gt(p.stock, 0)),
  Query.select(p => ({ name: p.name, value: Fn.mul(p.stock, p.price) })),
  Query.orderBy([['desc', 'value']]),
)

// 30. A grouped query selecting a column neither grouped nor aggregated: refused.
export const ungrouped = pipe(
  Query.from(Everyday, 'order'),
  Query.groupBy(o => [o.customer_id]),
  Query.select(o => ({ customer: o.customer_id, status: o.status })),
)
