// Acceptance, issue 15 (query algebra I): everyday product queries on a multi-tenant SaaS (users,
// projects, memberships, tasks, tags, events) beside a small shop (categories, products, orders,
// order items, reviews), written with the public API only, as a new user reading the README would.
// Each query runs on PostgreSQL and in the memory interpreter (fed the database's own rows), and both
// must give exactly the rows of a hand-written SQL query sent with postgres.js to the same database:
// the expected result never comes from Quiver. The queries differ from test/query/everyday.test.ts
// (relational division, count(col) against count(*) over a left join, like with escaped wildcards,
// three-valued boolean outputs, a self-join, monthly actives, join-preloads filtered by a joined column).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as t from 'io-ts'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { Column, Fn, Memory, Pg, Pred, Prepared, Preload, Query, Schema } from '../../src/index.js'
import { connect, run, type TestDb } from '../support/db.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

const user = Schema.table('user', 'users', {
  id: Column.serial,
  name: Column.text,
  email: Column.nullable(Column.text),
})
const project = Schema.table('project', 'projects', {
  id: Column.serial,
  name: Column.text,
  owner_id: Column.integer,
  archived: Column.boolean,
})
const membership = Schema.table('membership', 'memberships', {
  id: Column.serial,
  user_id: Column.integer,
  project_id: Column.integer,
  role: Column.text,
})
const task = Schema.table('task', 'tasks', {
  id: Column.serial,
  project_id: Column.integer,
  assignee_id: Column.nullable(Column.integer),
  title: Column.text,
  status: Column.text,
  estimate: Column.nullable(Column.integer),
  due_at: Column.nullable(Column.timestamptz),
  done_at: Column.nullable(Column.timestamptz),
})
const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
const event = Schema.table('event', 'events', {
  id: Column.serial,
  user_id: Column.integer,
  at: Column.timestamptz,
  kind: Column.text,
})
const category = Schema.table('category', 'categories', {
  id: Column.serial,
  parent_id: Column.nullable(Column.integer),
  name: Column.text,
})
const product = Schema.table('product', 'products', {
  id: Column.serial,
  category_id: Column.integer,
  name: Column.text,
  price: Column.numeric,
})
const order = Schema.table('order', 'orders', {
  id: Column.serial,
  user_id: Column.integer,
  created_at: Column.timestamptz,
  status: Column.text,
})
const item = Schema.table('item', 'order_items', {
  id: Column.serial,
  order_id: Column.integer,
  product_id: Column.integer,
  qty: Column.integer,
  unit_price: Column.numeric,
})
const review = Schema.table('review', 'reviews', {
  id: Column.serial,
  product_id: Column.integer,
  user_id: Column.integer,
  rating: Column.integer,
})

const App = Schema.modelOrThrow(
  { user, project, membership, task, tag, event, category, product, order, item, review },
  {
    user: {
      memberships: Schema.hasMany('membership'),
      projects: Schema.through(['memberships', 'project']),
      tasks: Schema.hasMany('task', { foreignKey: 'assignee_id' }),
      orders: Schema.hasMany('order'),
      events: Schema.hasMany('event'),
    },
    project: {
      owner: Schema.belongsTo('user', { foreignKey: 'owner_id' }),
      memberships: Schema.hasMany('membership'),
      members: Schema.through(['memberships', 'user']),
      tasks: Schema.hasMany('task'),
    },
    membership: { user: Schema.belongsTo('user'), project: Schema.belongsTo('project') },
    task: {
      project: Schema.belongsTo('project'),
      assignee: Schema.belongsTo('user', { foreignKey: 'assignee_id' }),
      tags: Schema.manyToMany('tag', { joinThrough: 'task_tags' }),
    },
    category: {
      parent: Schema.belongsTo('category', { foreignKey: 'parent_id' }),
      children: Schema.hasMany('category', { foreignKey: 'parent_id' }),
      products: Schema.hasMany('product'),
    },
    product: {
      category: Schema.belongsTo('category'),
      items: Schema.hasMany('item'),
      reviews: Schema.hasMany('review'),
    },
    order: { user: Schema.belongsTo('user'), items: Schema.hasMany('item') },
    item: { order: Schema.belongsTo('order'), product: Schema.belongsTo('product') },
    review: { product: Schema.belongsTo('product'), user: Schema.belongsTo('user') },
  },
)

// -------------------------------------------------------------------------------------
// data: written with SQL, read back as the memory interpreter's tables
// -------------------------------------------------------------------------------------

// "Now" for the queries that look back: a parameter, never the database's clock.
const NOW = new Date('2026-03-31T00:00:00Z')
const DAY = 24 * 3600 * 1000

const ddl: ReadonlyArray<string> = [
  `create table users (id integer primary key, name text not null, email text)`,
  `create table projects (id integer primary key, name text not null, owner_id integer not null references users(id),
     archived boolean not null)`,
  `create table memberships (id integer primary key, user_id integer not null references users(id),
     project_id integer not null references projects(id), role text not null)`,
  `create table tasks (id integer primary key, project_id integer not null references projects(id),
     assignee_id integer references users(id), title text not null, status text not null, estimate integer,
     due_at timestamptz, done_at timestamptz)`,
  `create table tags (id integer primary key, name text not null)`,
  `create table task_tags (task_id integer not null references tasks(id), tag_id integer not null references tags(id))`,
  `create table events (id integer primary key, user_id integer not null references users(id), at timestamptz not null,
     kind text not null)`,
  `create table categories (id integer primary key, parent_id integer references categories(id), name text not null)`,
  `create table products (id integer primary key, category_id integer not null references categories(id),
     name text not null, price numeric(10, 2) not null)`,
  `create table orders (id integer primary key, user_id integer not null references users(id),
     created_at timestamptz not null, status text not null)`,
  `create table order_items (id integer primary key, order_id integer not null references orders(id),
     product_id integer not null references products(id), qty integer not null, unit_price numeric(10, 2) not null)`,
  `create table reviews (id integer primary key, product_id integer not null references products(id),
     user_id integer not null references users(id), rating integer not null)`,
  `insert into users values (1, 'Ann', 'ann@example.com'), (2, 'Bob', null), (3, 'Cid', 'cid@example.com'),
     (4, 'Dee', null), (5, 'Eve', 'eve@example.com')`,
  `insert into projects values (1, 'Apollo', 1, false), (2, 'Borealis', 2, false), (3, 'Cosmos', 1, true)`,
  `insert into memberships values (1, 1, 1, 'owner'), (2, 1, 2, 'member'), (3, 1, 3, 'owner'), (4, 2, 1, 'member'),
     (5, 2, 2, 'owner'), (6, 3, 3, 'member'), (7, 5, 1, 'member'), (8, 5, 2, 'member'), (9, 5, 3, 'member')`,
  `insert into tasks values
     (1, 1, 1, 'Design', 'done', 3, '2026-03-01T00:00:00Z', '2026-02-28T00:00:00Z'),
     (2, 1, 2, 'Build', 'doing', 5, '2026-03-20T00:00:00Z', null),
     (3, 1, null, 'Test', 'todo', null, '2026-03-10T00:00:00Z', null),
     (4, 2, 2, 'Plan', 'todo', 2, null, null),
     (5, 2, 1, 'Ship', 'doing', 8, '2026-04-15T00:00:00Z', null),
     (6, 2, 2, 'Review', 'done', 1, null, '2026-03-02T00:00:00Z'),
     (7, 3, 3, 'Archive', 'todo', null, null, null),
     (8, 1, 1, 'Deploy', 'todo', 3, '2026-03-30T00:00:00Z', null)`,
  `insert into tags values (1, 'urgent'), (2, 'backend'), (3, 'frontend'), (4, 'ops')`,
  `insert into task_tags values (1, 3), (2, 2), (2, 1), (3, 2), (5, 4), (5, 1), (5, 2), (8, 4)`,
  `insert into events values (1, 1, '2026-01-03T10:00:00Z', 'login'), (2, 1, '2026-01-20T10:00:00Z', 'login'),
     (3, 2, '2026-01-31T23:59:59Z', 'login'), (4, 2, '2026-02-01T00:00:00Z', 'login'),
     (5, 3, '2026-02-14T10:00:00Z', 'login'), (6, 1, '2026-02-15T10:00:00Z', 'login'),
     (7, 5, '2026-03-01T10:00:00Z', 'login'), (8, 5, '2026-03-02T10:00:00Z', 'export'),
     (9, 1, '2026-03-03T10:00:00Z', 'login'), (10, 2, '2026-03-09T10:00:00Z', 'login'),
     (11, 3, '2026-03-10T10:00:00Z', 'login')`,
  `insert into categories values (1, null, 'Clothing'), (2, 1, 'Shirts'), (3, null, 'Kitchen'), (4, 3, 'Mugs'),
     (5, null, 'Empty'), (6, 1, 'Socks')`,
  `insert into products values (1, 2, '100% Cotton Tee', 19.99), (2, 2, '100 Cotton Tee', 15.00),
     (3, 4, 'snake_case mug', 9.50), (4, 4, 'snakeXcase mug', 9.50), (5, 3, 'Apron', 25.00),
     (6, 1, 'Unsold Thing', 5.00), (7, 4, 'back\\slash mug', 7.25)`,
  `insert into orders values (1, 1, '2026-01-15T12:00:00Z', 'paid'), (2, 1, '2026-03-10T12:00:00Z', 'paid'),
     (3, 2, '2026-03-12T12:00:00Z', 'paid'), (4, 3, '2026-03-20T12:00:00Z', 'cancelled'),
     (5, 2, '2026-03-25T12:00:00Z', 'paid'), (6, 5, '2026-03-25T12:00:00Z', 'paid'),
     (7, 1, '2026-03-28T12:00:00Z', 'paid')`,
  `insert into order_items values (1, 1, 1, 2, 19.99), (2, 1, 5, 1, 25.00), (3, 2, 1, 1, 19.99), (4, 2, 3, 3, 9.50),
     (5, 3, 2, 2, 15.00), (6, 3, 4, 1, 9.50), (7, 4, 5, 4, 25.00), (8, 5, 3, 2, 9.50), (9, 6, 1, 1, 18.00),
     (10, 7, 2, 1, 15.00), (11, 7, 5, 2, 25.00), (12, 7, 7, 1, 7.25)`,
  `insert into reviews values (1, 1, 1, 5), (2, 1, 2, 4), (3, 1, 3, 4), (4, 3, 1, 2), (5, 3, 5, 4), (6, 3, 2, 5),
     (7, 3, 3, 2), (8, 5, 1, 5), (9, 5, 2, 5)`,
]
const tableNames = [
  'users',
  'projects',
  'memberships',
  'tasks',
  'tags',
  'task_tags',
  'events',
  'categories',
  'products',
  'orders',
  'order_items',
  'reviews',
] as const

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  db = await connect()
  await run(db.sql, ddl)
  tables = new Map(
    await Promise.all(
      tableNames.map(async n => [n, [...(await db.sql.unsafe(`select * from ${n} order by 1, 2`))]] as const),
    ),
  )
})
afterAll(async () => db.close())

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

type Row = Readonly<Record<string, unknown>>

/** The rows of a hand-written statement, as plain objects. */
const sqlRows = async (text: string, params: ReadonlyArray<unknown> = []): Promise<ReadonlyArray<Row>> =>
  [...(await db.sql.unsafe(text, params as never[]))].map(r => ({ ...r }))

const byJson = (rs: ReadonlyArray<unknown>): ReadonlyArray<unknown> =>
  [...rs].map(r => JSON.stringify(r)).sort()

/**
 * Runs `q` on PostgreSQL and in memory, and expects from each the rows of the hand-written `text`:
 * in order when `ordered`, else as multisets. Returns PostgreSQL's rows for further checks.
 */
const agree = async <A>(
  q: Query.Query<never, never, never, never, A> | Query.AnyQuery,
  text: string,
  params: ReadonlyArray<unknown> = [],
  ordered = true,
): Promise<ReadonlyArray<Row>> => {
  const expected = await sqlRows(text, params)
  const pg = await Pg.all(q as Query.AnyQuery)(db.sql)()
  const mem = await Memory.all(q as Query.AnyQuery)(tables)()
  const norm = (rs: ReadonlyArray<unknown>) => (ordered ? rs : byJson(rs))
  expect(E.map(norm)(pg as E.Either<unknown, ReadonlyArray<unknown>>), 'PostgreSQL').toEqual(
    E.right(norm(expected)),
  )
  expect(E.map(norm)(mem as E.Either<unknown, ReadonlyArray<unknown>>), 'memory').toEqual(
    E.right(norm(expected)),
  )
  return expected
}

/** The user's text as a LIKE pattern that matches it literally (`\` is PostgreSQL's default escape). */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, c => `\\${c}`)

// -------------------------------------------------------------------------------------
// the SaaS
// -------------------------------------------------------------------------------------

describe('everyday SaaS queries, PostgreSQL and memory against hand-written SQL', () => {
  it('users assigned no open task in a live project (a correlated not exists with a joined condition)', async () => {
    const q = pipe(
      Query.from(App, 'user'),
      Query.where(u =>
        Pred.notExists(
          pipe(
            Query.from(App, 'task'),
            Query.join('project'),
            Query.where((tk, $) =>
              Pred.and(
                Pred.eq(tk.assignee_id, u.id),
                Pred.neq(tk.status, 'done'),
                Pred.eq($.joined.project.archived, false),
              ),
            ),
          ),
        ),
      ),
      Query.select(u => ({ id: u.id, name: u.name })),
      Query.orderBy(['id']),
    )
    const rows = await agree(
      q,
      `select u.id, u.name from users u where not exists (
         select 1 from tasks t join projects p on p.id = t.project_id
         where t.assignee_id = u.id and t.status <> 'done' and not p.archived)
       order by u.id`,
    )
    // Cid's only task is in the archived project; Dee and Eve have none
    expect(rows.map(r => r['name'])).toEqual(['Cid', 'Dee', 'Eve'])
  })

  it('tasks per status per project, with counts and summed estimates (NULL estimates skipped)', async () => {
    const q = pipe(
      Query.from(App, 'task'),
      Query.join('project'),
      Query.groupBy((tk, $) => [$.joined.project.id, tk.status]),
      Query.select((tk, $) => ({
        project: $.joined.project.name,
        status: tk.status,
        n: Fn.count(),
        estimated: Fn.count(tk.estimate),
        points: Fn.sum(tk.estimate),
      })),
      Query.orderBy(['project', 'status']),
    )
    expectTypeOf<Query.RowOf<typeof q>>().toEqualTypeOf<{
      readonly project: string
      readonly status: string
      readonly n: number
      readonly estimated: number
      readonly points: number | null
    }>()
    await agree(
      q,
      `select p.name as project, t.status, count(*)::int as n, count(t.estimate)::int as estimated,
         sum(t.estimate)::int as points
       from tasks t join projects p on p.id = t.project_id
       group by p.id, t.status order by p.name, t.status`,
    )
  })

  it('users who are members of every project: relational division, two nested not exists', async () => {
    const q = pipe(
      Query.from(App, 'user'),
      Query.where(u =>
        Pred.notExists(
          pipe(
            Query.from(App, 'project'),
            Query.where(p =>
              Pred.notExists(
                pipe(
                  Query.from(App, 'membership'),
                  Query.where(m => Pred.and(Pred.eq(m.user_id, u.id), Pred.eq(m.project_id, p.id))),
                ),
              ),
            ),
          ),
        ),
      ),
      Query.select(u => ({ name: u.name })),
      Query.orderBy(['name']),
    )
    const rows = await agree(
      q,
      `select u.name from users u where not exists (select 1 from projects p where not exists (
         select 1 from memberships m where m.user_id = u.id and m.project_id = p.id)) order by u.name`,
    )
    expect(rows).toEqual([{ name: 'Ann' }, { name: 'Eve' }])
  })

  it('members of every project, again: a through count equal to a scalar subquery count', async () => {
    const q = pipe(
      Query.from(App, 'user'),
      Query.where((_, $) =>
        Pred.eq(
          // a non-null term on the left, a nullable one (the scalar subquery) on the right
          $.count('projects'),
          Fn.scalar(
            pipe(
              Query.from(App, 'project'),
              Query.select(() => ({ n: Fn.count() })),
            ),
          ),
        ),
      ),
      Query.select(u => ({ name: u.name })),
      Query.orderBy(['name']),
    )
    await agree(
      q,
      `select u.name from users u
       where (select count(distinct m.project_id) from memberships m where m.user_id = u.id)
           = (select count(*) from projects)
       order by u.name`,
    )
  })

  it('tasks per user including users with none: count(column) over a left join, beside count(*)', async () => {
    const q = pipe(
      Query.from(App, 'user'),
      Query.join('tasks', 'left'),
      Query.groupBy(u => [u.id]),
      Query.select((u, $) => ({ name: u.name, tasks: Fn.count($.joined.tasks.id), rows: Fn.count() })),
      Query.orderBy(['name']),
    )
    expectTypeOf<Query.RowOf<typeof q>>().toEqualTypeOf<{
      readonly name: string
      readonly tasks: number
      readonly rows: number
    }>()
    const rows = await agree(
      q,
      `select u.name, count(t.id)::int as tasks, count(*)::int as rows
       from users u left join tasks t on t.assignee_id = u.id group by u.id order by u.name`,
    )
    expect(rows.find(r => r['name'] === 'Dee')).toEqual({ name: 'Dee', tasks: 0, rows: 1 })
  })

  it('the same count as a relation aggregate, and the open ones only', async () => {
    const q = pipe(
      Query.from(App, 'user'),
      Query.select((u, $) => ({
        name: u.name,
        tasks: $.count('tasks'),
        open: $.count('tasks', tk => Pred.neq(tk.status, 'done')),
        points: $.sum('tasks', tk => tk.estimate),
      })),
      Query.orderBy([['desc', 'tasks'], 'name']),
    )
    await agree(
      q,
      `select u.name, (select count(*)::int from tasks t where t.assignee_id = u.id) as tasks,
         (select count(*)::int from tasks t where t.assignee_id = u.id and t.status <> 'done') as open,
         (select sum(t.estimate)::int from tasks t where t.assignee_id = u.id) as points
       from users u order by 2 desc, u.name`,
    )
  })

  it('tag names per task, ordered inside string_agg (left join: untagged tasks get NULL)', async () => {
    const q = pipe(
      Query.from(App, 'task'),
      Query.join('tags', 'left'),
      Query.groupBy(tk => [tk.id]),
      Query.select((tk, $) => ({
        title: tk.title,
        tags: Fn.stringAgg($.joined.tags.name, ', ', { orderBy: [$.joined.tags.name] }),
        backwards: Fn.stringAgg($.joined.tags.name, '|', { orderBy: [['desc', $.joined.tags.name]] }),
      })),
      Query.orderBy(['id']),
    )
    expectTypeOf<Query.RowOf<typeof q>>().toEqualTypeOf<{
      readonly title: string
      readonly tags: string | null
      readonly backwards: string | null
    }>()
    await agree(
      q,
      `select t.title, string_agg(g.name, ', ' order by g.name) as tags,
         string_agg(g.name, '|' order by g.name desc) as backwards
       from tasks t left join task_tags tt on tt.task_id = t.id left join tags g on g.id = tt.tag_id
       group by t.id order by t.id`,
    )
  })

  it('a boolean expression as an output: overdue is NULL when the due date is unknown (three-valued)', async () => {
    const q = pipe(
      Query.from(App, 'task'),
      Query.select(tk => ({
        id: tk.id,
        open: Pred.isNull(tk.done_at),
        late: Pred.lt(tk.due_at, NOW),
        big: Pred.or(Pred.gt(tk.estimate, 4), Pred.eq(tk.status, 'doing')),
      })),
      Query.orderBy(['id']),
    )
    await agree(
      q,
      `select id, done_at is null as open, due_at < $1 as late, (estimate > 4 or status = 'doing') as big
       from tasks order by id`,
      [NOW],
    )
  })

  it('coalesce of a nullable left-joined column, and an expression over it', async () => {
    const q = pipe(
      Query.from(App, 'task'),
      Query.join('assignee', 'left'),
      Query.select((tk, $) => ({
        title: tk.title,
        who: Fn.coalesce($.joined.assignee.name, 'unassigned'),
        contact: Fn.coalesce($.joined.assignee.email, $.joined.assignee.name, '-'),
        shout: Fn.upper(Fn.concat(tk.title, ' by ', Fn.coalesce($.joined.assignee.name, '?'))),
      })),
      Query.orderBy(['title']),
    )
    expectTypeOf<Query.RowOf<typeof q>>().toEqualTypeOf<{
      readonly title: string
      readonly who: string
      readonly contact: string
      readonly shout: string
    }>()
    await agree(
      q,
      `select t.title, coalesce(u.name, 'unassigned') as who, coalesce(u.email, u.name, '-') as contact,
         upper(t.title || ' by ' || coalesce(u.name, '?')) as shout
       from tasks t left join users u on u.id = t.assignee_id order by t.title`,
    )
  })

  it('scalar subquery columns: per project, its open task count and the title of the next task due', async () => {
    const q = pipe(
      Query.from(App, 'project'),
      Query.select(p => ({
        name: p.name,
        open: Fn.scalar(
          pipe(
            Query.from(App, 'task'),
            Query.where(tk => Pred.and(Pred.eq(tk.project_id, p.id), Pred.neq(tk.status, 'done'))),
            Query.select(() => ({ n: Fn.count() })),
          ),
        ),
        next: Fn.scalar(
          pipe(
            Query.from(App, 'task'),
            Query.where(tk => Pred.and(Pred.eq(tk.project_id, p.id), Pred.isNull(tk.done_at))),
            Query.orderBy(tk => [tk.due_at, tk.id]),
            Query.limit(1),
            Query.select(tk => ({ title: tk.title })),
          ),
        ),
      })),
      Query.orderBy(['name']),
    )
    expectTypeOf<Query.RowOf<typeof q>>().toEqualTypeOf<{
      readonly name: string
      readonly open: number | null
      readonly next: string | null
    }>()
    await agree(
      q,
      `select p.name,
         (select count(*)::int from tasks t where t.project_id = p.id and t.status <> 'done') as open,
         (select t.title from tasks t where t.project_id = p.id and t.done_at is null
            order by t.due_at, t.id limit 1) as next
       from projects p order by p.name`,
    )
  })

  it('monthly active users: count(distinct user) per date_trunc(month), across a month edge', async () => {
    const q = pipe(
      Query.from(App, 'event'),
      Query.groupBy(e => [Fn.dateTrunc('month', e.at)]),
      Query.select(e => ({
        month: Fn.dateTrunc('month', e.at),
        active: Fn.countDistinct(e.user_id),
        logins: Fn.count({ filter: Pred.eq(e.kind, 'login') }),
      })),
      Query.orderBy(['month']),
    )
    expectTypeOf<Query.RowOf<typeof q>>().toEqualTypeOf<{
      readonly month: Date
      readonly active: number
      readonly logins: number
    }>()
    await agree(
      q,
      `select date_trunc('month', at) as month, count(distinct user_id)::int as active,
         count(*) filter (where kind = 'login')::int as logins
       from events group by 1 order by 1`,
    )
  })

  it('each user with their two most recent projects by id (a left lateral join)', async () => {
    const q = pipe(
      Query.from(App, 'user'),
      Query.joinLateral(
        'recent',
        u =>
          pipe(
            Query.from(App, 'membership'),
            Query.join('project'),
            Query.where(m => Pred.eq(m.user_id, u.id)),
            Query.select((m, $) => ({ project: $.joined.project.name, role: m.role, pid: m.project_id })),
            Query.orderBy([['desc', 'pid']]),
            Query.limit(2),
          ),
        'left',
      ),
      Query.select((u, $) => ({
        name: u.name,
        project: $.joined.recent.project,
        role: $.joined.recent.role,
      })),
      Query.orderBy((u, $) => [u.name, $.joined.recent.project]),
    )
    expectTypeOf<Query.RowOf<typeof q>>().toEqualTypeOf<{
      readonly name: string
      readonly project: string | null
      readonly role: string | null
    }>()
    await agree(
      q,
      `select u.name, r.project, r.role from users u left join lateral (
         select p.name as project, m.role, m.project_id as pid from memberships m join projects p on p.id = m.project_id
         where m.user_id = u.id order by m.project_id desc limit 2) r on true
       order by u.name, r.project`,
    )
  })
})

// -------------------------------------------------------------------------------------
// the shop
// -------------------------------------------------------------------------------------

describe('everyday shop queries, PostgreSQL and memory against hand-written SQL', () => {
  it('top 5 products by revenue over the last 30 days, paid orders only (numeric sums, exact)', async () => {
    const since = new Date(NOW.getTime() - 30 * DAY)
    const q = pipe(
      Query.from(App, 'item'),
      Query.join('order'),
      Query.join('product'),
      Query.where((_, $) =>
        Pred.and(Pred.eq($.joined.order.status, 'paid'), Pred.gte($.joined.order.created_at, since)),
      ),
      Query.groupBy((_, $) => [$.joined.product.id]),
      Query.select((i, $) => ({
        name: $.joined.product.name,
        revenue: Fn.sum(Fn.mul(i.qty, i.unit_price)),
        units: Fn.sum(i.qty),
      })),
      Query.orderBy([['desc', 'revenue'], 'name']),
      Query.limit(5),
    )
    expectTypeOf<Query.RowOf<typeof q>>().toEqualTypeOf<{
      readonly name: string
      readonly revenue: string | null
      readonly units: number | null
    }>()
    const rows = await agree(
      q,
      `select p.name, sum(i.qty * i.unit_price)::text as revenue, sum(i.qty)::int as units
       from order_items i join orders o on o.id = i.order_id join products p on p.id = i.product_id
       where o.status = 'paid' and o.created_at >= $1
       group by p.id order by sum(i.qty * i.unit_price) desc, p.name limit 5`,
      [since],
    )
    expect(rows).toHaveLength(5)
  })

  it("each user's latest order: distinct on (user_id), ties on created_at broken by id", async () => {
    const q = pipe(
      Query.from(App, 'order'),
      Query.distinctOn(o => [o.user_id]),
      Query.orderBy([
        ['desc', 'created_at'],
        ['desc', 'id'],
      ]),
      Query.select(o => ({ user_id: o.user_id, id: o.id, at: o.created_at })),
    )
    await agree(
      q,
      `select distinct on (user_id) user_id, id, created_at as at from orders
       order by user_id, created_at desc, id desc`,
    )
  })

  it('average rating per product with at least 3 reviews (avg of integers, nearest double)', async () => {
    const q = pipe(
      Query.from(App, 'review'),
      Query.join('product'),
      Query.groupBy((_, $) => [$.joined.product.id]),
      Query.having(() => Pred.gte(Fn.count(), 3)),
      Query.select((r, $) => ({
        name: $.joined.product.name,
        rating: Fn.avg(r.rating),
        reviews: Fn.count(),
        low: Fn.min(r.rating),
      })),
      Query.orderBy([['desc', 'rating']]),
    )
    const expected = await sqlRows(
      `select p.name, avg(r.rating)::text as rating, count(*)::int as reviews, min(r.rating) as low
       from reviews r join products p on p.id = r.product_id
       group by p.id having count(*) >= 3 order by avg(r.rating) desc`,
    )
    // 13 / 3 for the tee: a repeating decimal, read as the nearest double to PostgreSQL's text
    const asDoubles = expected.map(r => ({ ...r, rating: Number(r['rating']) }))
    const pg = await Pg.all(q)(db.sql)()
    expect(pg).toEqual(E.right(asDoubles))
    expect(await Memory.all(q)(tables)()).toEqual(pg)
  })

  it('products never ordered, by category ($.notExists over a has-many)', async () => {
    const q = pipe(
      Query.from(App, 'product'),
      Query.join('category'),
      Query.where((_, $) => $.notExists('items')),
      Query.select((p, $) => ({ product: p.name, category: $.joined.category.name })),
    )
    const rows = await agree(
      q,
      `select p.name as product, c.name as category from products p join categories c on c.id = p.category_id
       where not exists (select 1 from order_items i where i.product_id = p.id)`,
      [],
      false,
    )
    expect(rows).toHaveLength(1)
  })

  it('category tree, one level: a self-join on parent, with each category child and product counts', async () => {
    const q = pipe(
      Query.from(App, 'category'),
      Query.join('parent', 'left'),
      Query.select((c, $) => ({
        name: c.name,
        parent: $.joined.parent.name,
        path: Fn.concat(Fn.coalesce($.joined.parent.name, ''), '/', c.name),
        children: $.count('children'),
        products: $.count('products'),
      })),
      Query.orderBy(['path']),
    )
    expectTypeOf<Query.RowOf<typeof q>>().toEqualTypeOf<{
      readonly name: string
      readonly parent: string | null
      readonly path: string
      readonly children: number
      readonly products: number
    }>()
    await agree(
      q,
      `select c.name, p.name as parent, coalesce(p.name, '') || '/' || c.name as path,
         (select count(*)::int from categories k where k.parent_id = c.id) as children,
         (select count(*)::int from products x where x.category_id = c.id) as products
       from categories c left join categories p on p.id = c.parent_id order by 3`,
    )
  })

  it('a keyset page of orders by (created_at, id), across a tie on created_at', async () => {
    const page = (at: Date, id: number) =>
      pipe(
        Query.from(App, 'order'),
        Query.where(o => Pred.rowGt([o.created_at, o.id], [at, id])),
        Query.orderBy(['created_at', 'id']),
        Query.limit(2),
        Query.select(o => ({ id: o.id })),
      )
    const at = new Date('2026-03-25T12:00:00Z')
    const text = `select id from orders where (created_at, id) > ($1, $2) order by created_at, id limit 2`
    const first = await agree(page(at, 5), text, [at, 5])
    expect(first.map(r => r['id'])).toEqual([6, 7])
    await agree(page(at, 4), text, [at, 4])
  })

  it("search with ilike: the user's %, _ and \\ are matched literally once escaped", async () => {
    const search = (needle: string) =>
      pipe(
        Query.from(App, 'product'),
        Query.where(p => Pred.ilike(p.name, `%${escapeLike(needle)}%`)),
        Query.select(p => ({ id: p.id, name: p.name })),
        Query.orderBy(['id']),
      )
    const text = `select id, name from products where name ilike $1 order by id`
    for (const needle of ['100%', 'E_C', 'k\\s', '%', '_', 'COTTON'])
      await agree(search(needle), text, [`%${escapeLike(needle)}%`])
    // the escaping matters: unescaped, the user's wildcard matches more
    const loose = await sqlRows(text, ['%100%%'])
    expect(loose.length).toBeGreaterThan((await sqlRows(text, [`%${escapeLike('100%')}%`])).length)
  })

  it('a prepared search: the escaped pattern as a placeholder, one statement for every needle', async () => {
    const search = Prepared.make({ pattern: t.string }, ({ pattern }) =>
      pipe(
        Query.from(App, 'product'),
        Query.where(p => Pred.ilike(p.name, pattern)),
        Query.select(p => ({ name: p.name })),
        Query.orderBy(['name']),
      ),
    )
    for (const needle of ['snake_', '100%', 'mug']) {
      const pattern = `%${escapeLike(needle)}%`
      const expected = await sqlRows(`select name from products where name ilike $1 order by name`, [pattern])
      const pg = await Pg.prepared(search)({ pattern })(db.sql)()
      expect(pg).toEqual(E.right(expected))
      expect(await Memory.prepared(search)({ pattern })(tables)()).toEqual(pg)
    }
  })

  it("Ann's orders with their items and each item's product (preload), filtered by the joined user", async () => {
    const q = pipe(
      Query.from(App, 'order'),
      Query.join('user'),
      Query.where((_, $) => Pred.eq($.joined.user.name, 'Ann')),
      Query.orderBy(['id']),
      Query.preload({ items: { product: true } }),
    )
    const orders = await sqlRows(
      `select o.* from orders o join users u on u.id = o.user_id where u.name = 'Ann' order by o.id`,
    )
    const items = await sqlRows(`select * from order_items order by id`)
    const products = await sqlRows(`select * from products`)
    const expected = orders.map(o => ({
      ...o,
      items: items
        .filter(i => i['order_id'] === o['id'])
        .map(i => ({ ...i, product: O.fromNullable(products.find(p => p['id'] === i['product_id'])) })),
    }))
    // item order within an order is not specified: compare as sets per order
    const sorted = E.map((os: ReadonlyArray<{ readonly items: ReadonlyArray<{ readonly id: number }> }>) =>
      os.map(o => ({ ...o, items: [...o.items].sort((a, b) => a.id - b.id) })),
    )
    for (const strategy of ['batched', 'lateral'] as const) {
      const pg = await Pg.all(q, { strategy })(db.sql)()
      expect(sorted(pg), strategy).toEqual(E.right(expected))
    }
    // (the memory interpreter runs no lateral trees: a typed Unsupported, documented)
    expect(sorted(await Memory.all(q)(tables)()), 'memory').toEqual(E.right(expected))
  })

  it('join-preload: orders with only their multi-unit items, filtered and ordered by the join, one statement', async () => {
    const q = pipe(
      Query.from(App, 'order'),
      Query.join('items', 'inner', { on: i => Pred.gte(i.qty, 2) }),
      Query.where(o => Pred.eq(o.status, 'paid')),
      Query.orderBy((o, $) => [o.id, ['desc', $.joined.items.id]]),
      Query.select(o => ({ id: o.id, status: o.status })),
      Query.preload({ items: Preload.joined('items', { product: true }) }),
    )
    const rows = await sqlRows(
      `select o.id as oid, o.status, i.* from orders o join order_items i on i.order_id = o.id and i.qty >= 2
       where o.status = 'paid' order by o.id, i.id desc`,
    )
    const products = await sqlRows(`select * from products`)
    const expected: Array<{ id: unknown; status: unknown; items: Array<Row> }> = []
    for (const { oid, status, ...i } of rows) {
      const last = expected[expected.length - 1]
      const child = { ...i, product: O.fromNullable(products.find(p => p['id'] === i['product_id'])) }
      if (last !== undefined && last.id === oid) last.items.push(child)
      else expected.push({ id: oid, status, items: [child] })
    }
    const pg = await Pg.all(q)(db.sql)()
    expect(pg).toEqual(E.right(expected))
    expect(await Memory.all(q)(tables)()).toEqual(pg)
  })

  it('spend per user with a scalar subquery beside relation counts, big spenders first', async () => {
    const q = pipe(
      Query.from(App, 'user'),
      Query.select((u, $) => ({
        name: u.name,
        orders: $.count('orders', o => Pred.eq(o.status, 'paid')),
        spent: Fn.scalar(
          pipe(
            Query.from(App, 'item'),
            Query.join('order'),
            Query.where((_, $o) =>
              Pred.and(Pred.eq($o.joined.order.user_id, u.id), Pred.eq($o.joined.order.status, 'paid')),
            ),
            Query.select(i => ({ total: Fn.sum(Fn.mul(i.qty, i.unit_price)) })),
          ),
        ),
      })),
      Query.orderBy([['desc', 'spent'], 'name']),
    )
    await agree(
      q,
      `select u.name, (select count(*)::int from orders o where o.user_id = u.id and o.status = 'paid') as orders,
         (select sum(i.qty * i.unit_price)::text from order_items i join orders o on o.id = i.order_id
            where o.user_id = u.id and o.status = 'paid') as spent
       from users u order by (select sum(i.qty * i.unit_price) from order_items i join orders o on o.id = i.order_id
            where o.user_id = u.id and o.status = 'paid') desc, u.name`,
    )
  })

  it('price bands with case when, and products costing more than their category average', async () => {
    const bands = pipe(
      Query.from(App, 'product'),
      Query.select(p => ({
        name: p.name,
        band: Fn.case_(
          [
            [Pred.lt(p.price, '10'), 'cheap'],
            [Pred.lt(p.price, '20'), 'mid'],
          ],
          'dear',
        ),
      })),
      Query.orderBy(['name']),
    )
    await agree(
      bands,
      `select name, case when price < 10 then 'cheap' when price < 20 then 'mid' else 'dear' end as band
       from products order by name`,
    )
    const aboveAverage = pipe(
      Query.from(App, 'product'),
      Query.where(p =>
        Pred.gt(
          p.price,
          Fn.scalar(
            pipe(
              Query.from(App, 'product'),
              Query.where(o => Pred.eq(o.category_id, p.category_id)),
              Query.select(o => ({ avg: Fn.avg(o.price) })),
            ),
          ),
        ),
      ),
      Query.select(p => ({ name: p.name })),
      Query.orderBy(['name']),
    )
    await agree(
      aboveAverage,
      `select name from products p where price > (select avg(o.price) from products o where o.category_id = p.category_id)
       order by name`,
    )
  })

  it('monthly revenue per user from a projection used as a from source, months over 40 only', async () => {
    const perMonth = pipe(
      Query.from(App, 'item'),
      Query.join('order'),
      Query.where((_, $) => Pred.eq($.joined.order.status, 'paid')),
      Query.groupBy((_, $) => [$.joined.order.user_id, Fn.dateTrunc('month', $.joined.order.created_at)]),
      Query.select((i, $) => ({
        user: $.joined.order.user_id,
        month: Fn.dateTrunc('month', $.joined.order.created_at),
        revenue: Fn.sum(Fn.mul(i.qty, i.unit_price)),
      })),
    )
    const q = pipe(
      Query.fromQuery(perMonth),
      Query.where(m => Pred.gt(m.revenue, '40')),
      Query.groupBy(m => [m.user]),
      Query.select(m => ({ user: m.user, months: Fn.count(), best: Fn.max(m.revenue) })),
      Query.orderBy(['user']),
    )
    await agree(
      q,
      `select "user", count(*)::int as months, max(revenue)::text as best from (
         select o.user_id as "user", date_trunc('month', o.created_at) as month, sum(i.qty * i.unit_price) as revenue
         from order_items i join orders o on o.id = i.order_id where o.status = 'paid' group by 1, 2) s
       where revenue > 40 group by "user" order by "user"`,
    )
  })
})
