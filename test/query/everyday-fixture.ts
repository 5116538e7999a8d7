// The everyday model of test/query/everyday.test.ts: a blog (authors, posts, comments, tags through a
// join table) and a shop (customers, products, orders, order items, reviews) in one model, with its
// rows as plain JavaScript data. The rows are written to PostgreSQL and read back as the memory
// interpreter's tables, and the tests compute their expected results from the same JavaScript data
// (by hand or by a plain reference), never from either engine's output.
import { Column, Memory, Schema } from '../../src/index.js'
import { connect, run, type TestDb } from '../support/db.js'

export const author = Schema.table('author', 'authors', {
  id: Column.serial,
  name: Column.text,
  email: Column.nullable(Column.text),
})
export const article = Schema.table('article', 'articles', {
  id: Column.serial,
  author_id: Column.nullable(Column.integer),
  title: Column.text,
  published: Column.boolean,
  created_at: Column.timestamptz,
  views: Column.integer,
})
export const remark = Schema.table('remark', 'remarks', {
  id: Column.serial,
  article_id: Column.integer,
  author_id: Column.nullable(Column.integer),
  body: Column.text,
  approved: Column.boolean,
})
export const label = Schema.table('label', 'labels', { id: Column.serial, name: Column.text })
export const customer = Schema.table('customer', 'customers', {
  id: Column.serial,
  name: Column.text,
  nickname: Column.nullable(Column.text),
  city: Column.nullable(Column.text),
})
export const product = Schema.table('product', 'products', {
  id: Column.serial,
  name: Column.text,
  price: Column.numeric,
  stock: Column.integer,
})
export const order = Schema.table('order', 'orders', {
  id: Column.serial,
  customer_id: Column.nullable(Column.integer),
  placed_at: Column.timestamptz,
  status: Column.text,
})
export const item = Schema.table('item', 'order_items', {
  id: Column.serial,
  order_id: Column.integer,
  product_id: Column.integer,
  qty: Column.integer,
  unit_price: Column.numeric,
})
export const review = Schema.table('review', 'reviews', {
  id: Column.serial,
  product_id: Column.integer,
  customer_id: Column.integer,
  rating: Column.integer,
})
export const entry = Schema.table('entry', 'ledger', { id: Column.serial, amount: Column.bigint })

export const Everyday = Schema.modelOrThrow(
  { author, article, remark, label, customer, product, order, item, review, entry },
  {
    author: {
      articles: Schema.hasMany('article', { foreignKey: 'author_id' }),
      remarks: Schema.hasMany('remark', { foreignKey: 'author_id' }),
      remarksReceived: Schema.through(['articles', 'remarks']),
    },
    article: {
      author: Schema.belongsTo('author', { foreignKey: 'author_id' }),
      remarks: Schema.hasMany('remark', { foreignKey: 'article_id' }),
      labels: Schema.manyToMany('label', { joinThrough: 'articles_labels' }),
    },
    remark: {
      article: Schema.belongsTo('article', { foreignKey: 'article_id' }),
      author: Schema.belongsTo('author', { foreignKey: 'author_id' }),
    },
    label: {
      articles: Schema.manyToMany('article', { joinThrough: 'articles_labels' }),
    },
    customer: {
      orders: Schema.hasMany('order', { foreignKey: 'customer_id' }),
      reviews: Schema.hasMany('review', { foreignKey: 'customer_id' }),
      items: Schema.through(['orders', 'items']),
      products: Schema.through(['orders', 'items', 'product']),
    },
    product: {
      items: Schema.hasMany('item', { foreignKey: 'product_id' }),
      reviews: Schema.hasMany('review', { foreignKey: 'product_id' }),
      orders: Schema.through(['items', 'order']),
    },
    order: {
      customer: Schema.belongsTo('customer', { foreignKey: 'customer_id' }),
      items: Schema.hasMany('item', { foreignKey: 'order_id' }),
    },
    item: {
      order: Schema.belongsTo('order', { foreignKey: 'order_id' }),
      product: Schema.belongsTo('product', { foreignKey: 'product_id' }),
    },
    review: {
      product: Schema.belongsTo('product', { foreignKey: 'product_id' }),
      customer: Schema.belongsTo('customer', { foreignKey: 'customer_id' }),
    },
  },
)

const d = (iso: string): Date => new Date(iso)

// Prices and unit prices are in cents here, so the references compute exactly; the database holds
// them as numeric(…, 2) text (see `money`).
export const data = {
  authors: [
    { id: 1, name: 'Ann', email: 'ann@example.com' },
    { id: 2, name: 'Bob', email: null },
    { id: 3, name: 'Cid', email: 'cid@example.com' },
    { id: 4, name: 'Dee', email: null },
  ],
  articles: [
    {
      id: 1,
      author_id: 1,
      title: 'Hello World',
      published: true,
      created_at: d('2026-01-05T10:00:00Z'),
      views: 10,
    },
    {
      id: 2,
      author_id: 1,
      title: 'Second thoughts',
      published: true,
      created_at: d('2026-01-20T10:00:00Z'),
      views: 5,
    },
    {
      id: 3,
      author_id: 2,
      title: 'Bob on bikes',
      published: true,
      created_at: d('2026-02-02T10:00:00Z'),
      views: 7,
    },
    {
      id: 4,
      author_id: 1,
      title: 'Draft ideas',
      published: false,
      created_at: d('2026-02-14T10:00:00Z'),
      views: 0,
    },
    {
      id: 5,
      author_id: 3,
      title: 'hello again',
      published: true,
      created_at: d('2026-02-20T10:00:00Z'),
      views: 3,
    },
    {
      id: 6,
      author_id: 2,
      title: 'Winter',
      published: true,
      created_at: d('2026-03-01T10:00:00Z'),
      views: 12,
    },
    {
      id: 7,
      author_id: null,
      title: 'Orphan',
      published: false,
      created_at: d('2026-03-03T10:00:00Z'),
      views: 1,
    },
    { id: 8, author_id: 1, title: 'Third', published: true, created_at: d('2026-03-03T10:00:00Z'), views: 4 },
  ],
  remarks: [
    { id: 1, article_id: 1, author_id: 2, body: 'nice', approved: true },
    { id: 2, article_id: 1, author_id: 3, body: 'agreed', approved: true },
    { id: 3, article_id: 1, author_id: null, body: 'spam', approved: false },
    { id: 4, article_id: 3, author_id: 1, body: 'wheels!', approved: true },
    { id: 5, article_id: 5, author_id: 1, body: 'hi', approved: false },
    { id: 6, article_id: 6, author_id: 3, body: 'brr', approved: true },
    { id: 7, article_id: 6, author_id: 1, body: 'cold', approved: true },
    { id: 8, article_id: 2, author_id: 2, body: 'hmm', approved: true },
  ],
  labels: [
    { id: 1, name: 'ts' },
    { id: 2, name: 'sql' },
    { id: 3, name: 'life' },
    { id: 4, name: 'unused' },
  ],
  articles_labels: [
    { article_id: 1, label_id: 1 },
    { article_id: 1, label_id: 2 },
    { article_id: 2, label_id: 1 },
    { article_id: 3, label_id: 3 },
    { article_id: 5, label_id: 1 },
    { article_id: 5, label_id: 2 },
    { article_id: 6, label_id: 1 },
    { article_id: 6, label_id: 3 },
    { article_id: 4, label_id: 2 },
    { article_id: 8, label_id: 2 },
  ],
  customers: [
    { id: 1, name: 'Alice', nickname: null, city: 'Paris' },
    { id: 2, name: 'Bruno', nickname: 'B', city: null },
    { id: 3, name: 'Chen', nickname: null, city: 'Lyon' },
    { id: 4, name: 'Dana', nickname: 'D', city: 'Paris' },
  ],
  products: [
    { id: 1, name: 'Widget', price: 999, stock: 10 },
    { id: 2, name: 'Gadget', price: 2450, stock: 0 },
    { id: 3, name: 'Gizmo', price: 10000, stock: 3 },
    { id: 4, name: 'Doohickey', price: 125, stock: 50 },
  ],
  orders: [
    { id: 1, customer_id: 1, placed_at: d('2026-01-10T12:00:00Z'), status: 'paid' },
    { id: 2, customer_id: 1, placed_at: d('2026-01-25T12:00:00Z'), status: 'paid' },
    { id: 3, customer_id: 2, placed_at: d('2026-02-03T12:00:00Z'), status: 'paid' },
    { id: 4, customer_id: 3, placed_at: d('2026-02-27T12:00:00Z'), status: 'cancelled' },
    { id: 5, customer_id: 1, placed_at: d('2026-03-05T12:00:00Z'), status: 'paid' },
    { id: 6, customer_id: null, placed_at: d('2026-03-07T12:00:00Z'), status: 'paid' },
  ],
  order_items: [
    { id: 1, order_id: 1, product_id: 1, qty: 2, unit_price: 999 },
    { id: 2, order_id: 1, product_id: 2, qty: 1, unit_price: 2450 },
    { id: 3, order_id: 2, product_id: 1, qty: 1, unit_price: 999 },
    { id: 4, order_id: 3, product_id: 3, qty: 1, unit_price: 10000 },
    { id: 5, order_id: 3, product_id: 1, qty: 3, unit_price: 899 },
    { id: 6, order_id: 4, product_id: 2, qty: 2, unit_price: 2450 },
    { id: 7, order_id: 5, product_id: 2, qty: 1, unit_price: 2450 },
    { id: 8, order_id: 6, product_id: 1, qty: 5, unit_price: 999 },
  ],
  reviews: [
    { id: 1, product_id: 1, customer_id: 1, rating: 5 },
    { id: 2, product_id: 1, customer_id: 2, rating: 4 },
    { id: 3, product_id: 1, customer_id: 3, rating: 2 },
    { id: 4, product_id: 2, customer_id: 1, rating: 3 },
    { id: 5, product_id: 3, customer_id: 2, rating: 5 },
    { id: 6, product_id: 3, customer_id: 3, rating: 4 },
  ],
  // 2^53 and 1: their sum, 2^53 + 1, is not a double.
  ledger: [
    { id: 1, amount: '9007199254740992' },
    { id: 2, amount: '1' },
  ],
}

/** Cents as PostgreSQL prints a numeric of scale 2 (`1234` is `'12.34'`). */
export const money = (cents: number): string =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`

const ddl: ReadonlyArray<string> = [
  `create table authors (id integer generated by default as identity primary key, name text not null, email text)`,
  `create table articles (id integer generated by default as identity primary key, author_id integer references authors(id),
     title text not null, published boolean not null, created_at timestamptz not null, views integer not null)`,
  `create table remarks (id integer generated by default as identity primary key, article_id integer not null references articles(id),
     author_id integer references authors(id), body text not null, approved boolean not null)`,
  `create table labels (id integer generated by default as identity primary key, name text not null)`,
  `create table articles_labels (article_id integer not null references articles(id), label_id integer not null references labels(id))`,
  `create table customers (id integer generated by default as identity primary key, name text not null, nickname text, city text)`,
  `create table products (id integer generated by default as identity primary key, name text not null,
     price numeric(10, 2) not null, stock integer not null)`,
  `create table orders (id integer generated by default as identity primary key, customer_id integer references customers(id),
     placed_at timestamptz not null, status text not null)`,
  `create table order_items (id integer generated by default as identity primary key, order_id integer not null references orders(id),
     product_id integer not null references products(id), qty integer not null, unit_price numeric(10, 2) not null)`,
  `create table reviews (id integer generated by default as identity primary key, product_id integer not null references products(id),
     customer_id integer not null references customers(id), rating integer not null)`,
  `create table ledger (id integer generated by default as identity primary key, amount bigint not null)`,
]

const tableNames = [
  'authors',
  'articles',
  'remarks',
  'labels',
  'articles_labels',
  'customers',
  'products',
  'orders',
  'order_items',
  'reviews',
  'ledger',
] as const

const asSql = (table: string, row: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      (table === 'products' && k === 'price') || (table === 'order_items' && k === 'unit_price')
        ? money(v as number)
        : v,
    ]),
  )

export interface Env {
  readonly db: TestDb
  readonly tables: Memory.Tables
}

/** A database holding `data`, and the same rows read back as the memory interpreter's tables. */
export const openEveryday = async (): Promise<Env> => {
  const db = await connect()
  await run(db.sql, ddl)
  for (const name of tableNames) {
    const rows = data[name].map(r => asSql(name, r))
    await db.sql`insert into ${db.sql(name)} ${db.sql(rows)}`
  }
  const tables: Memory.Tables = new Map(
    await Promise.all(
      tableNames.map(
        async name => [name, await db.sql.unsafe(`select * from ${name} order by 1, 2`)] as const,
      ),
    ),
  )
  return { db, tables }
}
