// Upsert: the onConflict option of insert and insertAll. Each plan's SQL is pinned, then run on
// PostgreSQL and on the memory semantics from the same rows: same result (or the same error), same
// state; a failing upsert changes nothing on either.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Fn, Query } from '../../src/index.js'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { M, agree, fresh, kindOf, right, checkOn } from './set-model.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())
beforeEach(async () => {
  await run(db.sql, fresh())
})

// Pins the SQL, runs on both, and checks they agree on the result and the state.
const check = <A>(
  plan: Write.Plan<A>,
  sql: ReadonlyArray<{ text: string; params: ReadonlyArray<unknown> }>,
) => checkOn(db.sql, plan, sql)

const failsAlike = async (plan: Write.Plan<unknown>, kind: unknown) => {
  const o = await agree(db.sql, plan)
  expect(kindOf(o.pg)).toEqual(kind)
  expect(kindOf(o.memory)).toEqual(kind)
  expect(o.pgState).toEqual(o.before)
  expect(o.memoryState).toEqual(o.before)
}

const cols = '"id", "name", "email", "visits"'

describe('do update', () => {
  it('a set over the existing row and excluded; a new key is inserted (its sequence number as PostgreSQL gives it)', async () => {
    const plan = right(
      Write.insertAll(
        M,
        'user',
        [
          { name: 'ada2', email: 'ada@x', visits: 3 },
          { name: 'dee', email: 'dee@x', visits: 1 },
        ],
        {
          onConflict: {
            target: ['email'],
            action: { update: (u, ex) => ({ visits: Fn.add(u.visits, ex.visits), name: ex.name }) },
          },
        },
      ),
    )
    const o = await check(plan, [
      {
        text: `insert into "users" as "t0" ("name", "email", "visits") values ($1, $2, $3), ($4, $5, $6) on conflict ("email") do update set "visits" = "t0"."visits" + "excluded"."visits", "name" = "excluded"."name" returning ${cols}`,
        params: ['ada2', 'ada@x', 3, 'dee', 'dee@x', 1],
      },
    ])
    expect(o.pg).toEqual(
      E.right([
        { id: 1, name: 'ada2', email: 'ada@x', visits: 3 },
        { id: 5, name: 'dee', email: 'dee@x', visits: 1 },
      ]),
    )
  })

  it("replace_all and { except }: the insert's columns but the target from excluded", async () => {
    const all = right(
      Write.insert(
        M,
        'user',
        { name: 'A', email: 'ada@x', visits: 9 },
        {
          onConflict: { target: ['email'], action: { update: 'replace_all' } },
        },
      ),
    )
    const o = await check(all, [
      {
        text: `insert into "users" as "t0" ("name", "email", "visits") values ($1, $2, $3) on conflict ("email") do update set "name" = "excluded"."name", "visits" = "excluded"."visits" returning ${cols}`,
        params: ['A', 'ada@x', 9],
      },
    ])
    expect(o.pg).toEqual(E.right({ id: 1, name: 'A', email: 'ada@x', visits: 9 }))
    const except = right(
      Write.insert(
        M,
        'user',
        { name: 'B', email: 'bob@x', visits: 0 },
        {
          onConflict: { target: ['email'], action: { update: { except: ['visits'] } } },
        },
      ),
    )
    const e = await check(except, [
      {
        text: `insert into "users" as "t0" ("name", "email", "visits") values ($1, $2, $3) on conflict ("email") do update set "name" = "excluded"."name" returning ${cols}`,
        params: ['B', 'bob@x', 0],
      },
    ])
    expect(e.pg).toEqual(E.right({ id: 2, name: 'B', email: 'bob@x', visits: 5 }))
  })

  it('on the primary key, by constraint name; a composite-free text key (tags.slug)', async () => {
    const plan = right(
      Write.insertAll(
        M,
        'tag',
        [
          { slug: 'sql', label: 'Structured', uses: 1 },
          { slug: 'ts', label: 'TypeScript', uses: 1 },
        ],
        {
          onConflict: {
            target: { constraint: 'tags_pkey' },
            action: { update: t => ({ uses: Write.inc(1), label: t.label }) },
          },
        },
      ),
    )
    const o = await check(plan, [
      {
        text: 'insert into "tags" as "t0" ("slug", "label", "uses") values ($1, $2, $3), ($4, $5, $6) on conflict on constraint "tags_pkey" do update set "uses" = "t0"."uses" + $7, "label" = "t0"."label" returning "slug", "label", "uses"',
        params: ['sql', 'Structured', 1, 'ts', 'TypeScript', 1, 1],
      },
    ])
    expect(o.pg).toEqual(
      E.right([
        { slug: 'sql', label: 'SQL', uses: 2 },
        { slug: 'ts', label: 'TypeScript', uses: 1 },
      ]),
    )
  })

  it('the same key twice in one statement: 21000 on both, nothing written', async () => {
    const plan = right(
      Write.insertAll(
        M,
        'user',
        [
          { name: 'n1', email: 'new@x', visits: 1 },
          { name: 'n2', email: 'new@x', visits: 2 },
        ],
        { onConflict: { target: ['email'], action: { update: 'replace_all' } } },
      ),
    )
    await failsAlike(plan, { _tag: 'DbError', kind: 'Unknown', code: '21000' })
    // An existing row updated, then proposed again: also 21000.
    const again = right(
      Write.insertAll(
        M,
        'user',
        [
          { name: 'n1', email: 'ada@x', visits: 1 },
          { name: 'n2', email: 'ada@x', visits: 2 },
        ],
        { onConflict: { target: ['email'], action: { update: { visits: 0 } } } },
      ),
    )
    await failsAlike(again, { _tag: 'DbError', kind: 'Unknown', code: '21000' })
  })

  it('a conflict on another unique key than the target is a unique violation (23505)', async () => {
    const plan = right(
      Write.insertAll(M, 'user', [{ id: 2, name: 'x', email: 'fresh@x', visits: 0 }], {
        onConflict: { target: ['email'], action: { update: 'replace_all' } },
      }),
    )
    await failsAlike(plan, { _tag: 'DbError', kind: 'UniqueViolation', code: '23505' })
    // An update that moves the row onto another's key.
    const moved = right(
      Write.insert(
        M,
        'user',
        { name: 'x', email: 'ada@x', visits: 0 },
        {
          onConflict: { target: ['email'], action: { update: { email: 'bob@x' } } },
        },
      ),
    )
    await failsAlike(moved, { _tag: 'DbError', kind: 'UniqueViolation', code: '23505' })
  })

  it('NOT NULL is checked on the proposed row first; foreign keys on the updated row', async () => {
    const fk = right(
      Write.insert(
        M,
        'post',
        { id: 1, author_id: 1, title: 't', views: 0 },
        {
          onConflict: { target: ['id'], action: { update: { author_id: 42 } } },
        },
      ),
    )
    await failsAlike(fk, { _tag: 'DbError', kind: 'ForeignKeyViolation', code: '23503' })
    const nn = right(
      Write.insert(
        M,
        'post',
        { id: 1, author_id: 1, title: 't', views: 0, score: null },
        {
          onConflict: {
            target: ['id'],
            action: {
              update: ((p: Query.Refs<{ views: number }>) => ({
                views: Fn.add(p.views, Fn.nullif(p.views, p.views)),
              })) as never,
            },
          },
        },
      ),
    )
    await failsAlike(nn, { _tag: 'DbError', kind: 'NotNullViolation', code: '23502' })
  })
})

describe('do nothing', () => {
  it('skips conflicting rows (the same key twice too); insert gives an Option', async () => {
    const plan = right(
      Write.insertAll(
        M,
        'user',
        [
          { name: 'a', email: 'ada@x', visits: 1 },
          { name: 'n1', email: 'new@x', visits: 1 },
          { name: 'n2', email: 'new@x', visits: 2 },
        ],
        { onConflict: { target: ['email'], action: 'nothing' } },
      ),
    )
    const o = await check(plan, [
      {
        text: `insert into "users" as "t0" ("name", "email", "visits") values ($1, $2, $3), ($4, $5, $6), ($7, $8, $9) on conflict ("email") do nothing returning ${cols}`,
        params: ['a', 'ada@x', 1, 'n1', 'new@x', 1, 'n2', 'new@x', 2],
      },
    ])
    expect(o.pg).toEqual(E.right([{ id: 5, name: 'n1', email: 'new@x', visits: 1 }]))
    const one = right(
      Write.insert(
        M,
        'user',
        { name: 'a', email: 'ada@x', visits: 1 },
        { onConflict: { target: ['email'], action: 'nothing' } },
      ),
    )
    const r = await check(one, [
      {
        text: `insert into "users" as "t0" ("name", "email", "visits") values ($1, $2, $3) on conflict ("email") do nothing returning ${cols}`,
        params: ['a', 'ada@x', 1],
      },
    ])
    expect(r.pg).toEqual(E.right(O.none))
    const fresh_ = right(
      Write.insert(
        M,
        'user',
        { name: 'z', email: 'z@x', visits: 1 },
        { onConflict: { target: ['email'], action: 'nothing' } },
      ),
    )
    // From fresh tables, so that the memory's sequence (max + 1 of a run) is PostgreSQL's.
    await run(db.sql, fresh())
    const f = await agree(db.sql, fresh_)
    expect(f.pg).toEqual(E.right(O.some({ id: 4, name: 'z', email: 'z@x', visits: 1 })))
    expect(f.memory).toEqual(f.pg)
  })

  it('a conflict on a key that is not the target still fails (23505)', async () => {
    const plan = right(
      Write.insert(
        M,
        'user',
        { id: 1, name: 'a', email: 'other@x', visits: 1 },
        {
          onConflict: { target: ['email'], action: 'nothing' },
        },
      ),
    )
    await failsAlike(plan, { _tag: 'DbError', kind: 'UniqueViolation', code: '23505' })
  })
})

describe('refused before any SQL', () => {
  const left = (e: E.Either<Write.WriteError, unknown>) => (E.isLeft(e) ? e.left : null)
  it('a target that is no unique key (42P10 on PostgreSQL) names the schema and columns', () => {
    const e = left(
      Write.insert(
        M,
        'user',
        { name: 'a', email: 'a@x', visits: 1 },
        { onConflict: { target: ['name'], action: 'nothing' } },
      ),
    )
    expect(e).toMatchObject({ code: 'MissingKey', schema: 'user', column: 'name' })
    expect(e?.message).toContain('42P10')
    expect(
      left(
        Write.insert(
          M,
          'user',
          { name: 'a', email: 'a@x', visits: 1 },
          { onConflict: { target: ['email', 'name'], action: 'nothing' } },
        ),
      ),
    ).toMatchObject({ code: 'MissingKey' })
    expect(
      left(
        Write.insert(
          M,
          'user',
          { name: 'a', email: 'a@x', visits: 1 },
          {
            onConflict: { target: { constraint: 'users_name_key' }, action: 'nothing' },
          },
        ),
      ),
    ).toMatchObject({ code: 'MissingKey', schema: 'user' })
  })
  it('unknown columns in the target, the set or except; values the codec rejects; junk actions', () => {
    const v = { name: 'a', email: 'a@x', visits: 1 }
    expect(
      left(Write.insert(M, 'user', v, { onConflict: { target: ['nope'] as never, action: 'nothing' } })),
    ).toMatchObject({
      code: 'UnknownColumn',
      column: 'nope',
    })
    expect(
      left(
        Write.insert(M, 'user', v, {
          onConflict: { target: ['email'], action: { update: { nope: 1 } as never } },
        }),
      ),
    ).toMatchObject({ code: 'UnknownColumn', column: 'nope' })
    expect(
      left(
        Write.insert(M, 'user', v, {
          onConflict: { target: ['email'], action: { update: { except: ['nope'] as never } } },
        }),
      ),
    ).toMatchObject({ code: 'UnknownColumn' })
    expect(
      left(
        Write.insert(M, 'user', v, {
          onConflict: { target: ['email'], action: { update: { visits: 'lots' } as never } },
        }),
      ),
    ).toMatchObject({ code: 'InvalidValue', column: 'visits' })
    for (const junk of [null, 1, 'replace', { update: 1 }, { target: 1 }])
      expect(
        E.isLeft(Write.insert(M, 'user', v, { onConflict: { target: ['email'], action: junk as never } })),
      ).toBe(true)
    for (const junk of [null, 1, 'email', {}, { constraint: 1 }])
      expect(
        E.isLeft(
          Write.insertAll(M, 'user', [v], { onConflict: { target: junk as never, action: 'nothing' } }),
        ),
      ).toBe(true)
    expect(E.isLeft(Write.insertAll(M, 'user', [v], { onConflict: 5 as never }))).toBe(true)
    expect(E.isLeft(Write.insertAll(M, 'user', [v], 5 as never))).toBe(true)
  })
})

describe('insertFrom with onConflict (insert ... select ... on conflict)', () => {
  const tags = Query.from(M, 'tag')
  const users = Query.from(M, 'user')

  it('do update: the selected rows that conflict update the stored ones, the others are inserted; the same on both', async () => {
    // Every tag again (both conflict), and one per user (new): uses added up on a conflict.
    const plan = right(
      Write.insertFrom(
        M,
        'tag',
        pipe(
          users,
          Query.select(u => ({ slug: Fn.lower(u.name), label: u.email, uses: u.visits })),
        ),
        {
          onConflict: {
            target: ['slug'],
            action: { update: (t, ex) => ({ uses: Fn.add(t.uses, ex.uses) }) },
          },
        },
      ),
    )
    await run(db.sql, [`insert into tags (slug, label, uses) values ('bob', 'Bob', 10)`])
    const o = await check(plan, [
      {
        text: 'insert into "tags" as "t0" ("slug", "label", "uses") select lower("t0"."name") as "slug", "t0"."email" as "label", "t0"."visits" as "uses" from "users" as "t0" on conflict ("slug") do update set "uses" = "t0"."uses" + "excluded"."uses" returning "slug", "label", "uses"',
        params: [],
      },
    ])
    expect(
      E.map((rs: ReadonlyArray<unknown>) =>
        [...rs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      )(o.pg),
    ).toEqual(
      E.right([
        { slug: 'ada', label: 'ada@x', uses: 0 },
        { slug: 'bob', label: 'Bob', uses: 15 },
        { slug: 'cy', label: 'cy@x', uses: 2 },
      ]),
    )
  })

  it('do nothing: conflicting rows are skipped and not returned; the same on both', async () => {
    const plan = right(
      Write.insertFrom(
        M,
        'tag',
        pipe(
          tags,
          Query.select(t => ({ slug: t.slug, label: Fn.lower(t.label), uses: t.uses })),
        ),
        { onConflict: { target: { constraint: 'tags_pkey' }, action: 'nothing' } },
      ),
    )
    const o = await check(plan, [
      {
        text: 'insert into "tags" as "t0" ("slug", "label", "uses") select "t0"."slug", lower("t0"."label") as "label", "t0"."uses" from "tags" as "t0" on conflict on constraint "tags_pkey" do nothing returning "slug", "label", "uses"',
        params: [],
      },
    ])
    expect(o.pg).toEqual(E.right([]))
  })

  it('the same key selected twice: do update is 21000 on both (nothing written), do nothing keeps the first', async () => {
    const same = pipe(
      users,
      Query.select(u => ({
        slug: Fn.coalesce(Fn.nullif(u.name, u.name), 'dup'),
        label: u.name,
        uses: u.visits,
      })),
    )
    const update = right(
      Write.insertFrom(M, 'tag', same, {
        onConflict: { target: ['slug'], action: { update: 'replace_all' } },
      }),
    )
    await failsAlike(update, { _tag: 'DbError', kind: 'Unknown', code: '21000' })
    const nothing = right(
      Write.insertFrom(M, 'tag', same, { onConflict: { target: ['slug'], action: 'nothing' } }),
    )
    const o = await agree(db.sql, nothing)
    expect(o.memory).toEqual(o.pg)
    expect(o.memoryState).toEqual(o.pgState)
    expect(E.map((rs: ReadonlyArray<unknown>) => rs.length)(o.pg)).toEqual(E.right(1))
  })

  it('bad targets and actions: typed errors naming schema and column, no SQL', () => {
    const q = pipe(
      users,
      Query.select(u => ({ slug: u.name, label: u.email, uses: u.visits })),
    )
    const refused = (o: unknown) => {
      const e = Write.insertFrom(M, 'tag', q, { onConflict: o as never })
      return E.isLeft(e) ? e.left : null
    }
    expect(refused({ target: ['nope'], action: 'nothing' })).toMatchObject({
      code: 'UnknownColumn',
      schema: 'tag',
      column: 'nope',
    })
    expect(refused({ target: ['label'], action: 'nothing' })).toMatchObject({
      code: 'MissingKey',
      schema: 'tag',
      column: 'label',
    })
    expect(refused({ target: { constraint: 'tags_label_key' }, action: 'nothing' })).toMatchObject({
      code: 'MissingKey',
      schema: 'tag',
    })
    expect(refused({ target: ['slug'], action: { update: { nope: 1 } } })).toMatchObject({ schema: 'tag' })
    expect(refused({ target: ['slug'], action: 'ignore' })).toMatchObject({ schema: 'tag' })
    expect(refused(5)).toMatchObject({ schema: 'tag' })
  })
})
