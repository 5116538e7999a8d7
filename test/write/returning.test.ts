// Writes return what they wrote: a nested insert returns the new tree (keys, defaults and generated
// values from `returning`), a change plan returns the owner with the associations it changed, on
// PostgreSQL and in memory alike; a failing nested insert leaves both unchanged.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { T, agree, checkOn, fresh, kindOf, right } from './tree-model.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())
beforeEach(async () => {
  await run(db.sql, fresh())
})

describe('nested insert', () => {
  it('a post with a new author, comments with likes and tags (new and linked): one plan, keys passed down', async () => {
    const plan = right(
      Write.insert(T, 'post', {
        title: 'T',
        author: { name: 'cy' },
        comments: [
          { body: 'c1', likes: [{ who: 'ada' }, { who: 'bob' }] },
          { body: 'c2', public: true },
        ],
        tags: [{ name: 'new' }, { id: 2 }],
      }),
    )
    const refs = Write.toSql(plan).map(s => s.params)
    expect(Write.toSql(plan).map(s => s.text)).toEqual([
      'insert into "tr_users" ("name") values ($1) returning "id", "name"',
      'insert into "tr_posts" ("title", "author_id") values ($1, $2) returning "id", "author_id", "title"',
      'insert into "tr_comments" ("public", "body", "post_id") values ($1, $2, $3) returning "id", "post_id", "body", "public"',
      'insert into "tr_likes" ("who", "comment_id") values ($1, $2) returning "id", "comment_id", "who"',
      'insert into "tr_likes" ("who", "comment_id") values ($1, $2) returning "id", "comment_id", "who"',
      'insert into "tr_comments" ("public", "body", "post_id") values ($1, $2, $3) returning "id", "post_id", "body", "public"',
      'insert into "tr_tags" ("name") values ($1) returning "id", "name"',
      'insert into "tr_posts_tags" ("post_id", "tag_id") values ($1, $2) returning "post_id", "tag_id"',
      'select "id", "name" from "tr_tags" as "t0" where "t0"."id" = $1 for key share',
      'insert into "tr_posts_tags" ("post_id", "tag_id") values ($1, $2) returning "post_id", "tag_id"',
    ])
    // The new keys are plan references to the statements that inserted the rows.
    expect(JSON.parse(JSON.stringify(refs))).toEqual([
      ['cy'],
      ['T', { _tag: 'Ref', step: 0, column: 'id' }],
      [false, 'c1', { _tag: 'Ref', step: 1, column: 'id' }],
      ['ada', { _tag: 'Ref', step: 2, column: 'id' }],
      ['bob', { _tag: 'Ref', step: 2, column: 'id' }],
      [true, 'c2', { _tag: 'Ref', step: 1, column: 'id' }],
      ['new'],
      [
        { _tag: 'Ref', step: 1, column: 'id' },
        { _tag: 'Ref', step: 6, column: 'id' },
      ],
      [2],
      [{ _tag: 'Ref', step: 1, column: 'id' }, 2],
    ])
    const o = await agree(db.sql, plan)
    expect(o.memory).toEqual(o.pg)
    expect(o.memoryState).toEqual(o.pgState)
    expect(o.pg).toEqual(
      E.right({
        id: 3,
        author_id: 3,
        title: 'T',
        author: O.some({ id: 3, name: 'cy' }),
        comments: [
          {
            id: 4,
            post_id: 3,
            body: 'c1',
            public: false,
            likes: [
              { id: 2, comment_id: 4, who: 'ada' },
              { id: 3, comment_id: 4, who: 'bob' },
            ],
          },
          { id: 5, post_id: 3, body: 'c2', public: true },
        ],
        tags: [
          { id: 3, name: 'new' },
          { id: 2, name: 'fp' },
        ],
      }),
    )
    expect(o.pgState.get('tr_posts_tags')).toEqual([
      { post_id: 1, tag_id: 1 },
      { post_id: 3, tag_id: 2 },
      { post_id: 3, tag_id: 3 },
    ])
  })

  it('empty associations come back empty; a plain record is still a plain insert', async () => {
    const plan = right(Write.insert(T, 'post', { title: 'bare', comments: [], author: null }))
    const o = await checkOn(db.sql, plan, [
      {
        text: 'insert into "tr_posts" ("title", "author_id") values ($1, $2) returning "id", "author_id", "title"',
        params: ['bare', null],
      },
    ])
    expect(o.pg).toEqual(E.right({ id: 3, author_id: null, title: 'bare', author: O.none, comments: [] }))
    const plain = right(Write.insert(T, 'tag', { name: 'x' }))
    expect(plain.output).toEqual({ _tag: 'One', step: 0, schema: 'tag' })
  })

  it('a failure at any statement leaves both interpreters unchanged (atomic)', async () => {
    // The last statement fails on a unique key (a tag named 'sql' exists): every insert before it is undone.
    const dup = right(
      Write.insert(T, 'post', {
        title: 'x',
        comments: [{ body: 'c', likes: [{ who: 'y' }] }],
        tags: [{ name: 'sql' }],
      }),
    )
    const a = await agree(db.sql, dup)
    expect(kindOf(a.pg)).toEqual({ _tag: 'DbError', kind: 'UniqueViolation', code: '23505' })
    expect(kindOf(a.memory)).toEqual(kindOf(a.pg))
    expect(a.pgState).toEqual(a.before)
    expect(a.memoryState).toEqual(a.before)
    // A linked record that is not there: the statement that reads it touches no row (StaleEntry).
    const missing = right(
      Write.insert(T, 'post', { title: 'x', comments: [{ body: 'c' }], tags: [{ id: 99 }] }),
    )
    const b = await agree(db.sql, missing)
    expect(kindOf(b.pg)).toEqual({ _tag: 'WriteError', code: 'StaleEntry' })
    expect(kindOf(b.memory)).toEqual(kindOf(b.pg))
    expect(b.pgState).toEqual(b.before)
    expect(b.memoryState).toEqual(b.before)
  })

  it('bad input is an error value naming schema, association and column, before any SQL', () => {
    const cases: ReadonlyArray<readonly [unknown, Record<string, unknown>]> = [
      [
        { title: 'x', comments: [{ body: 1 }] },
        { code: 'InvalidValue', schema: 'post', association: 'comments', column: 'body' },
      ],
      [
        { title: 'x', comments: [{ body: 'b', likes: [{ nope: 1 }] }] },
        { code: 'UnknownColumn', schema: 'comment', association: 'likes', column: 'nope' },
      ],
      [
        { title: 'x', comments: { body: 'b' } },
        { code: 'InvalidValue', schema: 'post', association: 'comments' },
      ],
      [
        { title: 'x', author: [] },
        { code: 'InvalidValue', schema: 'post', association: 'author' },
      ],
      [
        { title: 'x', tags: [{ id: 1, posts: [] }] },
        { code: 'UnknownColumn', schema: 'post', association: 'tags', column: 'posts' },
      ],
      [
        { title: 'x', comments: [{ id: 1, body: 'b', likes: [] }] },
        { code: 'InvalidValue', schema: 'post', association: 'comments' },
      ],
      [{ comments: [{ body: 'b' }] }, { code: 'MissingColumn', schema: 'post', column: 'title' }],
      [
        { title: 'x', author_id: 2, author: { name: 'z' } },
        { code: 'ForeignKeyConflict', schema: 'post', association: 'author' },
      ],
      // A new child's foreign key is the new owner's key, set by the plan: giving it is refused, at any depth.
      [
        { title: 'x', comments: [{ body: 'b', post_id: 1 }] },
        { code: 'ForeignKeyConflict', schema: 'post', association: 'comments', column: 'post_id' },
      ],
      [
        { title: 'x', comments: [{ body: 'b', likes: [{ who: 'w', comment_id: 1 }] }] },
        { code: 'ForeignKeyConflict', schema: 'comment', association: 'likes', column: 'comment_id' },
      ],
    ]
    for (const [values, expected] of cases) {
      const r = Write.insert(T, 'post', values as never)
      expect(E.isLeft(r) && r.left, JSON.stringify(values)).toMatchObject(expected)
    }
    const withOptions = Write.insert(T, 'post', { title: 'x', comments: [] } as never, { source: 'x' })
    expect(E.isLeft(withOptions) && withOptions.left).toMatchObject({ code: 'InvalidValue', schema: 'post' })
  })
})

describe('change plans return the tree', () => {
  const loaded = {
    id: 1,
    author_id: 1,
    title: 'hello',
    comments: [
      { id: 1, post_id: 1, body: 'a', public: true },
      { id: 2, post_id: 1, body: 'b', public: false },
    ],
    tags: [{ id: 1, name: 'sql' }],
    note: O.some({ id: 1, post_id: 1, text: 'n', version: 3 }),
  }

  it('putAssoc: kept, updated, new and replaced children; the result is the post as written', async () => {
    const plan = right(
      pipe(
        Write.change(T, 'post', loaded, { title: 'hello!' }),
        Write.putAssoc('comments', [{ id: 1, post_id: 1, body: 'a2', public: true }, { body: 'new' }]),
        E.flatMap(Write.putAssoc('tags', [{ id: 1, name: 'sql' }, { id: 2 }])),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    const o = await checkOn(db.sql, plan, [
      {
        text: 'update "tr_posts" as "t0" set "title" = $1 where "t0"."id" = $2 returning "id", "author_id", "title"',
        params: ['hello!', 1],
      },
      { text: 'delete from "tr_comments" as "t0" where "t0"."id" = $1 returning "id"', params: [2] },
      {
        text: 'update "tr_comments" as "t0" set "body" = $1 where "t0"."id" = $2 returning "id", "post_id", "body", "public"',
        params: ['a2', 1],
      },
      {
        text: 'insert into "tr_comments" ("public", "body", "post_id") values ($1, $2, $3) returning "id", "post_id", "body", "public"',
        params: [false, 'new', 1],
      },
      {
        text: 'select "id", "name" from "tr_tags" as "t0" where "t0"."id" = $1 for key share',
        params: [2],
      },
      {
        text: 'insert into "tr_posts_tags" ("post_id", "tag_id") values ($1, $2) returning "post_id", "tag_id"',
        params: [1, 2],
      },
    ])
    expect(o.pg).toEqual(
      E.right({
        id: 1,
        author_id: 1,
        title: 'hello!',
        comments: [
          { id: 1, post_id: 1, body: 'a2', public: true },
          { id: 4, post_id: 1, body: 'new', public: false },
        ],
        tags: [
          { id: 1, name: 'sql' },
          { id: 2, name: 'fp' },
        ],
      }),
    )
  })

  it('an update returns the row as written: what a trigger set comes back, not the value given', async () => {
    // PostgreSQL only: the memory semantics have no triggers (without one, both agree: the test above).
    await run(db.sql, [
      `create or replace function tr_shout() returns trigger language plpgsql as $$ begin new.title := upper(new.title); return new; end $$`,
      `create trigger tr_posts_shout before update on tr_posts for each row execute function tr_shout()`,
      `create or replace function tr_mark() returns trigger language plpgsql as $$ begin new.body := new.body || '!'; return new; end $$`,
      `create trigger tr_comments_mark before update on tr_comments for each row execute function tr_mark()`,
    ])
    const plan = right(
      pipe(
        Write.change(T, 'post', loaded, { title: 'quiet' }),
        Write.putAssoc('comments', [
          { id: 1, post_id: 1, body: 'a2', public: true },
          { id: 2, post_id: 1, body: 'b', public: false },
        ]),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    const r = await Write.run(plan)(db.sql)()
    expect(r).toEqual(
      E.right({
        id: 1,
        author_id: 1,
        title: 'QUIET',
        comments: [
          { id: 1, post_id: 1, body: 'a2!', public: true },
          // unchanged: not written, as loaded
          { id: 2, post_id: 1, body: 'b', public: false },
        ],
      }),
    )
    await run(db.sql, [`drop function tr_shout cascade`, `drop function tr_mark cascade`])
  })

  it('a record known by its key alone is read, not written: the whole row comes back, a missing one fails alike', async () => {
    // The owner given by its key (and its loaded tags: none) only, nothing changed on it; tag 2 linked by
    // its key only.
    const plan = right(
      pipe(
        Write.change(T, 'post', { id: 2, tags: [] }, {}),
        Write.putAssoc('tags', [{ id: 2 }]),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    const before = await db.sql.unsafe('select xmin::text as v from tr_tags where id = 2')
    const o = await checkOn(db.sql, plan, [
      {
        text: 'select "id", "author_id", "title" from "tr_posts" as "t0" where "t0"."id" = $1 for key share',
        params: [2],
      },
      { text: 'select "id", "name" from "tr_tags" as "t0" where "t0"."id" = $1 for key share', params: [2] },
      {
        text: 'insert into "tr_posts_tags" ("post_id", "tag_id") values ($1, $2) returning "post_id", "tag_id"',
        params: [2, 2],
      },
    ])
    expect(o.pg).toEqual(E.right({ id: 2, author_id: 2, title: 'again', tags: [{ id: 2, name: 'fp' }] }))
    // Nothing was written to the linked row: the same row version, no update trigger would fire.
    expect(await db.sql.unsafe('select xmin::text as v from tr_tags where id = 2')).toEqual(before)

    // A record that is not there fails the plan on both, and nothing is linked.
    await run(db.sql, fresh())
    const missing = right(
      pipe(
        Write.change(T, 'post', { id: 2, tags: [] }, {}),
        Write.putAssoc('tags', [{ id: 9 }]),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    const m = await agree(db.sql, missing)
    expect(kindOf(m.pg)).toEqual(kindOf(m.memory))
    expect(E.isLeft(m.pg)).toBe(true)
    expect(m.memoryState).toEqual(m.pgState)
    expect(m.pgState.get('tr_posts_tags')).toEqual([{ post_id: 1, tag_id: 1 }])
  })

  it('castAssoc with nested casts: new children and grandchildren with their keys; a versioned has_one at its new version', async () => {
    const plan = right(
      pipe(
        Write.change(T, 'post', loaded),
        Write.castAssoc('comments', [{ id: 1 }, { id: 2 }, { body: 'c', likes: [{ who: 'z' }] }], {
          permit: ['id', 'body'],
          assocs: { likes: { permit: ['who'] } },
        }),
        E.flatMap(Write.putAssoc('note', { text: 'n2' })),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    const o = await agree(db.sql, plan)
    expect(o.memory).toEqual(o.pg)
    expect(o.memoryState).toEqual(o.pgState)
    expect(o.pg).toEqual(
      E.right({
        id: 1,
        author_id: 1,
        title: 'hello',
        comments: [
          // Current children a nested cast leaves alone: as loaded (their likes were not loaded).
          { id: 1, post_id: 1, body: 'a', public: true },
          { id: 2, post_id: 1, body: 'b', public: false },
          { id: 4, post_id: 1, body: 'c', public: false, likes: [{ id: 2, comment_id: 4, who: 'z' }] },
        ],
        note: O.some({ id: 1, post_id: 1, text: 'n2', version: 4 }),
      }),
    )
  })

  it('a belongs_to replaced by a new parent, and a new owner with castAssoc', async () => {
    const plan = right(
      pipe(
        Write.change(T, 'post', {
          id: 2,
          author_id: 2,
          title: 'again',
          author: O.some({ id: 2, name: 'bob' }),
        }),
        Write.putAssoc('author', { name: 'dee' }),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    const o = await agree(db.sql, plan)
    expect(o.memory).toEqual(o.pg)
    expect(o.pg).toEqual(
      E.right({ id: 2, author_id: 3, title: 'again', author: O.some({ id: 3, name: 'dee' }) }),
    )
    const created = right(
      pipe(
        Write.change(T, 'post', { title: 'fresh' }),
        Write.cast(
          { comments: [{ body: 'x' }] },
          {
            permit: [],
            assocs: {
              comments: { permit: ['body'], assocs: { likes: { permit: ['who'] } } },
              tags: { permit: ['name'] },
            },
          },
        ),
        E.flatMap(c => Write.toPlan(c)),
      ),
    )
    const p = await agree(db.sql, created)
    expect(p.memory).toEqual(p.pg)
    // `tags` is permitted but not given: a new post has none; a new comment has no likes yet.
    expect(p.pg).toEqual(
      E.right({
        id: 3,
        author_id: null,
        title: 'fresh',
        comments: [{ id: 4, post_id: 3, body: 'x', public: false, likes: [] }],
        tags: [],
      }),
    )
  })
})
