// Bulk inserts (issue 16): from `Sql.unnestFrom` (100) rows, an insert whose columns all have a plain
// SQL type sends one array parameter per column (`select * from unnest($1::text[], ...)`); a group
// of rows that cannot (a column without a SQL type, an array column) and needs more parameters than
// the driver takes is split into statements of one transaction. Each form's SQL is pinned, then run
// on PostgreSQL and on the memory semantics: same rows, same errors, a failure changes nothing.
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Ast, Column, Fn, Pg, Schema, Sql } from '../../src/index.js'
import * as Ddl from '../../src/sql/Ddl.js'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { M, agree, checkOn, fresh, kindOf, right } from './set-model.js'

let db: TestDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())
beforeEach(async () => {
  await run(db.sql, fresh())
})

const failsAlike = async (plan: Write.Plan<unknown>, kind: unknown) => {
  const o = await agree(db.sql, plan)
  expect(kindOf(o.pg)).toEqual(kind)
  expect(kindOf(o.memory)).toEqual(kind)
  expect(o.pgState).toEqual(o.before)
  expect(o.memoryState).toEqual(o.before)
}

// An array literal as the lowering writes it: every text quoted, `"` and `\` escaped; numbers bare.
const literal = (xs: ReadonlyArray<string | number>): string =>
  `{${xs.map(x => (typeof x === 'number' ? String(x) : `"${x.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`

const range = (n: number): ReadonlyArray<number> => Array.from({ length: n }, (_, i) => i)

const userCols = '"id", "name", "email", "visits"'

describe('one array per column (unnest)', () => {
  it('from 100 rows; 99 rows still go as values; both store the same', async () => {
    const rows = range(100).map(i => ({ name: `u${i}`, email: `u${i}@x`, visits: i }))
    const plan = right(Write.insertAll(M, 'user', rows))
    const o = await checkOn(db.sql, plan, [
      {
        text: `insert into "users" ("name", "email", "visits") select * from unnest($1::text[], $2::text[], $3::integer[]) returning ${userCols}`,
        params: [
          literal(rows.map(r => r.name)),
          literal(rows.map(r => r.email)),
          literal(rows.map(r => r.visits)),
        ],
      },
    ])
    // In the order given, with the ids PostgreSQL's sequence gives.
    expect(right(o.pg)).toEqual(rows.map((r, i) => ({ id: 4 + i, ...r })))
    const fewer = right(Write.insertAll(M, 'user', rows.slice(0, 99)))
    const [values] = Write.toSql(fewer)
    expect(
      values?.text.startsWith('insert into "users" ("name", "email", "visits") values ($1, $2, $3), ('),
    ).toBe(true)
    expect(values?.params).toHaveLength(297)
  })

  it('upsert: on conflict ... do update over the arrays, the same on both', async () => {
    // Even rows are new, odd ones hit the seeded emails (ada, bob, cy) or earlier rows: one per key.
    const emails = ['ada@x', 'bob@x', 'cy@x']
    const rows = range(120).map(i => ({
      name: `n${i}`,
      email: i < 3 ? (emails[i] as string) : `n${i}@x`,
      visits: i,
    }))
    const plan = right(
      Write.insertAll(M, 'user', rows, {
        onConflict: {
          target: ['email'],
          action: { update: (u, ex) => ({ visits: Fn.add(u.visits, ex.visits), name: ex.name }) },
        },
      }),
    )
    const o = await checkOn(db.sql, plan, [
      {
        text: `insert into "users" as "t0" ("name", "email", "visits") select * from unnest($1::text[], $2::text[], $3::integer[]) on conflict ("email") do update set "visits" = "t0"."visits" + "excluded"."visits", "name" = "excluded"."name" returning ${userCols}`,
        params: [
          literal(rows.map(r => r.name)),
          literal(rows.map(r => r.email)),
          literal(rows.map(r => r.visits)),
        ],
      },
    ])
    const written = right(o.pg)
    // bob had 5 visits: 5 + 1; the new rows continue the sequence after the three updated ones.
    expect(written.slice(0, 4)).toEqual([
      { id: 1, name: 'n0', email: 'ada@x', visits: 0 },
      { id: 2, name: 'n1', email: 'bob@x', visits: 6 },
      { id: 3, name: 'n2', email: 'cy@x', visits: 4 },
      { id: 7, name: 'n3', email: 'n3@x', visits: 3 },
    ])
    expect(o.pgState.get('users')).toHaveLength(3 + 117)
  })

  it('upsert do nothing over the arrays: skipped rows are not returned', async () => {
    const rows = range(150).map(i => ({
      name: `n${i}`,
      email: i % 50 === 0 ? 'ada@x' : `n${i}@x`,
      visits: 1,
    }))
    const plan = right(
      Write.insertAll(M, 'user', rows, { onConflict: { target: ['email'], action: 'nothing' } }),
    )
    const [s] = Write.toSql(plan)
    expect(s?.text).toBe(
      `insert into "users" as "t0" ("name", "email", "visits") select * from unnest($1::text[], $2::text[], $3::integer[]) on conflict ("email") do nothing returning ${userCols}`,
    )
    const o = await agree(db.sql, plan)
    expect(o.memory).toEqual(o.pg)
    expect(o.memoryState).toEqual(o.pgState)
    expect(right(o.pg)).toHaveLength(147)
  })

  it('the same key twice in one bulk upsert: 21000 on both, nothing written', async () => {
    const rows = range(200).map(i => ({ name: `n${i}`, email: i === 199 ? 'n7@x' : `n${i}@x`, visits: 1 }))
    const plan = right(
      Write.insertAll(M, 'user', rows, {
        onConflict: { target: ['email'], action: { update: 'replace_all' } },
      }),
    )
    expect(Write.toSql(plan)[0]?.text).toContain('unnest(')
    await failsAlike(plan, { _tag: 'DbError', kind: 'Unknown', code: '21000' })
  })

  it('a unique violation (the 150th row) fails alike and writes none of the rows', async () => {
    const rows = range(150).map(i => ({ name: `n${i}`, email: i === 149 ? 'bob@x' : `n${i}@x`, visits: 1 }))
    const plan = right(Write.insertAll(M, 'user', rows))
    expect(Write.toSql(plan)[0]?.text).toContain('unnest(')
    await failsAlike(plan, { _tag: 'DbError', kind: 'UniqueViolation', code: '23505' })
  })

  it('a foreign key violation fails alike and writes none of the rows', async () => {
    const rows = range(120).map(i => ({
      post_id: i === 60 ? 42 : 1 + (i % 3),
      body: `b${i}`,
      public: i % 2 === 0,
      likes: i,
    }))
    const plan = right(Write.insertAll(M, 'comment', rows))
    expect(Write.toSql(plan)[0]?.text).toBe(
      'insert into "comments" ("post_id", "body", "public", "likes") select * from unnest($1::integer[], $2::text[], $3::boolean[], $4::integer[]) returning "id", "post_id", "body", "public", "likes"',
    )
    await failsAlike(plan, { _tag: 'DbError', kind: 'ForeignKeyViolation', code: '23503' })
    // Without the bad row: the same comments on both (from fresh tables: the failed insert used up
    // sequence numbers on PostgreSQL, which memory does not count).
    await run(db.sql, fresh())
    const ok = right(
      Write.insertAll(
        M,
        'comment',
        rows.map(r => ({ ...r, post_id: r.post_id === 42 ? 1 : r.post_id })),
      ),
    )
    const o = await agree(db.sql, ok)
    expect(o.memory).toEqual(o.pg)
    expect(o.memoryState).toEqual(o.pgState)
  })

  it('a value given as an explicit null and an omitted column (its default) in arrays', async () => {
    // Rows giving the same columns share a statement: the ones with a score, the ones without.
    const rows = range(240).map(i =>
      i % 2 === 0
        ? { author_id: 1, title: `t${i}`, views: i, score: i % 4 === 0 ? null : i }
        : { author_id: 2, title: `t${i}`, views: i },
    )
    const plan = right(Write.insertAll(M, 'post', rows))
    const sql = Write.toSql(plan)
    expect(sql.map(s => s.text)).toEqual([
      'insert into "posts" ("author_id", "title", "views", "score") select * from unnest($1::integer[], $2::text[], $3::integer[], $4::integer[]) returning "id", "author_id", "title", "views", "score"',
      'insert into "posts" ("author_id", "title", "views") select * from unnest($1::integer[], $2::text[], $3::integer[]) returning "id", "author_id", "title", "views", "score"',
    ])
    expect(String(sql[0]?.params[3]).slice(0, 20)).toBe('{NULL,"2",NULL,"6",N')
    const o = await agree(db.sql, plan)
    expect(o.memory).toEqual(o.pg)
    expect(o.memoryState).toEqual(o.pgState)
  })
})

// Every scalar type the columns offer, with the values that are hard to write as array elements.
const sample = Schema.table('sample', 'bulk_samples', {
  id: Column.serial,
  label: Column.text,
  n: Column.integer,
  big: Column.bigint,
  ratio: Column.double,
  amount: Column.numeric,
  flag: Column.boolean,
  at: Column.timestamptz,
  doc: Column.json(t.unknown),
  note: Column.nullable(Column.text),
  seen: Column.nullable(Column.timestamptz),
  code: Column.uuid,
})
const S = Schema.modelOrThrow({ sample }, {})
const labels = [
  '',
  'a"b',
  'back\\slash',
  '{x,y}',
  'NULL',
  'null',
  ' spaced ',
  'ünï ✓',
  "it's",
  'comma,',
  '\\"',
]
const docs: ReadonlyArray<unknown> = [
  { a: 1, b: [true, null] },
  [1, 'two', { three: 3 }],
  'a "string"',
  true,
  0,
  { nested: { quote: '"', slash: '\\' } },
  [],
]

describe('records of the plain kind, taken column by column', () => {
  const rows = range(150).map(i => ({ name: `p${i}`, email: `p${i}@x`, visits: i }))

  it('the same statement as the records encoded one by one (a record with an undefined value goes that way)', () => {
    const plain = Write.toSql(right(Write.insertAll(M, 'user', rows)))
    // An `undefined` value is left out, as an omitted key: the same columns, built the general way.
    const general = Write.toSql(
      right(
        Write.insertAll(M, 'user', [
          ...rows.slice(0, 149),
          // (untyped input: `exactOptionalPropertyTypes` refuses an undefined id at compile time)
          { ...(rows[149] as (typeof rows)[number]), id: undefined } as never,
        ]),
      ),
    )
    expect(plain).toEqual(general)
    expect(plain).toHaveLength(1)
  })

  it('a value the codec refuses in the 120th record: the typed error naming schema and column, no plan', () => {
    const bad = rows.map((r, i) => (i === 119 ? { ...r, visits: 'many' } : r))
    const e = Write.insertAll(M, 'user', bad as never)
    expect(E.isLeft(e) && e.left).toMatchObject({
      _tag: 'WriteError',
      code: 'InvalidValue',
      schema: 'user',
      column: 'visits',
    })
  })

  it('a required column missing from every record, or an unknown one: the typed error, no plan', () => {
    const missing = Write.insertAll(M, 'user', rows.map(({ visits: _, ...r }) => r) as never)
    expect(E.isLeft(missing) && missing.left).toMatchObject({ code: 'MissingColumn', column: 'visits' })
    const unknown = Write.insertAll(M, 'user', rows.map(r => ({ ...r, nick: 'x' })) as never)
    expect(E.isLeft(unknown) && unknown.left).toMatchObject({ code: 'UnknownColumn', column: 'nick' })
  })

  it('records giving their columns in another order: one statement per order, as before', () => {
    const mixed = rows.map((r, i) => (i % 2 === 0 ? r : { visits: r.visits, email: r.email, name: r.name }))
    const statements = Write.toSql(right(Write.insertAll(M, 'user', mixed)))
    expect(statements.map(q => q.text.slice(0, 55))).toEqual([
      'insert into "users" ("name", "email", "visits") values ',
      'insert into "users" ("visits", "email", "name") values ',
    ])
  })

  it('numbers as bare elements, NaN, infinities and extremes included: the same on both', async () => {
    const ratio = [NaN, Infinity, -Infinity, 0, 1e21, 5e-324, 0.1, -1.5e-7, Number.MAX_VALUE]
    const sample = Schema.table('sample', 'bulk_ratios', { id: Column.serial, ratio: Column.double })
    const R = Schema.modelOrThrow({ sample }, {})
    const ddl = Ddl.ddl(R)
    if (E.isLeft(ddl)) throw new Error(ddl.left.message)
    await run(db.sql, ['drop table if exists bulk_ratios', ...ddl.right])
    const values = range(120).map(i => ({ ratio: ratio[i % ratio.length] as number }))
    const plan = right(Write.insertAll(R, 'sample', values))
    expect(Write.toSql(plan)[0]?.params[0]).toMatch(/^\{NaN,Infinity,-Infinity,0,1e\+21,5e-324,0\.1,/)
    const pg = await Write.run(plan)(Pg.interpreter(db.sql))()
    const memory = Write.runPure(plan, { constraints: 'model' })(new Map([['bulk_ratios', []]]))
    expect(E.map((r: Write.PureResult<unknown>) => r.result)(memory)).toEqual(pg)
    expect(right(pg)).toEqual(values.map((v, i) => ({ id: i + 1, ...v })))
  })
})

describe('values of every column type as array elements', () => {
  it('text, integer, bigint, double, numeric, boolean, timestamptz, jsonb, nulls, uuid: the same on both', async () => {
    const ddl = Ddl.ddl(S)
    if (E.isLeft(ddl)) throw new Error(ddl.left.message)
    await run(db.sql, ['drop table if exists bulk_samples', ...ddl.right])
    const rows = range(130).map(i => ({
      label: labels[i % labels.length] as string,
      n: i - 65,
      big: String(9_007_199_254_740_993n + BigInt(i)),
      ratio: i / 7,
      amount: `${i}.50`,
      flag: i % 3 === 0,
      at: new Date(Date.UTC(2024, 0, 1, 0, 0, i)),
      doc: docs[i % docs.length],
      note: i % 5 === 0 ? null : `note ${i}`,
      seen: i % 4 === 0 ? null : new Date(Date.UTC(2020, 5, 1, 12, i)),
      code: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    }))
    const plan = right(Write.insertAll(S, 'sample', rows))
    const [s] = Write.toSql(plan)
    expect(s?.text).toBe(
      'insert into "bulk_samples" ("label", "n", "big", "ratio", "amount", "flag", "at", "doc", "note", "seen", "code") select * from unnest($1::text[], $2::integer[], $3::bigint[], $4::double precision[], $5::numeric[], $6::boolean[], $7::timestamptz[], $8::jsonb[], $9::text[], $10::timestamptz[], $11::uuid[]) returning "id", "label", "n", "big", "ratio", "amount", "flag", "at", "doc", "note", "seen", "code"',
    )
    const pg = await Write.run(plan)(Pg.interpreter(db.sql))()
    const memory = Write.runPure(plan, { constraints: 'model' })(new Map([['bulk_samples', []]]))
    expect(E.map((r: Write.PureResult<unknown>) => r.result)(memory)).toEqual(pg)
    expect(right(pg)).toEqual(rows.map((r, i) => ({ id: i + 1, ...r })))
    // The same rows as values (one statement per row) store the same.
    await db.sql.unsafe('truncate bulk_samples restart identity')
    for (const r of rows) {
      const one = await Write.run(right(Write.insert(S, 'sample', r)))(Pg.interpreter(db.sql))()
      expect(E.isRight(one)).toBe(true)
    }
    const viaValues = await db.sql.unsafe('select * from bulk_samples order by id')
    expect(right(pg)).toEqual(viaValues.map(r => ({ ...r, doc: r['doc'] })))
  })
})

describe('beyond 65,533 parameters', () => {
  it('100,000 rows in one statement (one array per column), all stored and returned in order', async () => {
    await run(db.sql, [
      'create table bulk_wide (id integer generated by default as identity primary key, k integer not null, v text not null)',
    ])
    const wide = Schema.table('wide', 'bulk_wide', { id: Column.serial, k: Column.integer, v: Column.text })
    const W = Schema.modelOrThrow({ wide }, {})
    const rows = range(100_000).map(i => ({ k: i, v: `v${i}` }))
    const plan = right(Write.insertAll(W, 'wide', rows))
    const sql = Write.toSql(plan)
    expect(sql).toHaveLength(1)
    expect(sql[0]?.params).toHaveLength(2)
    const r = right(await Write.run(plan)(Pg.interpreter(db.sql))())
    expect(r).toHaveLength(100_000)
    expect(r[0]).toEqual({ id: 1, k: 0, v: 'v0' })
    expect(r[99_999]).toEqual({ id: 100_000, k: 99_999, v: 'v99999' })
    const [count] = await db.sql.unsafe('select count(*)::int as n, sum(k)::bigint as s from bulk_wide')
    expect(count).toEqual({ n: 100_000, s: String((99_999 * 100_000) / 2) })
  }, 60_000)

  it('33,000 rows of two columns (66,000 values, past the limit that used to fail): one statement', async () => {
    const rows = range(33_000).map(i => ({ slug: `s${i}`, label: `L${i}`, uses: i }))
    const plan = right(Write.insertAll(M, 'tag', rows))
    expect(Write.toSql(plan)).toHaveLength(1)
    const r = right(await Write.run(plan)(Pg.interpreter(db.sql))())
    expect(r).toHaveLength(33_000)
    const [count] = await db.sql.unsafe('select count(*)::int as n from tags')
    expect(count).toEqual({ n: 33_002 })
  }, 60_000)

  it('a column with no plain SQL type: split into statements under the limit, run in one transaction', async () => {
    // An array column: `unnest` would flatten it, so these rows go as values, 32,766 rows (65,532
    // parameters) a statement.
    const listed = Schema.table('listed', 'bulk_listed', {
      id: Column.serial,
      name: Column.text,
      scores: Column.custom(t.array(t.number), 'integer[]'),
    })
    const L = Schema.modelOrThrow({ listed }, {})
    const ddl = Ddl.ddl(L)
    if (E.isLeft(ddl)) throw new Error(ddl.left.message)
    await run(db.sql, ['drop table if exists bulk_listed', ...ddl.right])
    const rows = range(50_000).map(i => ({ name: `n${i}`, scores: [i, i + 1] }))
    const plan = right(Write.insertAll(L, 'listed', rows))
    const sql = Write.toSql(plan)
    expect(sql.map(s => s.params.length)).toEqual([65_532, 100_000 - 65_532])
    expect(sql.every(s => s.text.includes(' values ('))).toBe(true)
    const r = right(await Write.run(plan)(Pg.interpreter(db.sql))())
    expect(r).toHaveLength(50_000)
    expect(r[49_999]).toEqual({ id: 50_000, name: 'n49999', scores: [49_999, 50_000] })
    // A failure in the last statement rolls back the ones before it.
    await db.sql.unsafe('truncate bulk_listed restart identity')
    await db.sql.unsafe('alter table bulk_listed add constraint short check (length(name) < 7)')
    const bad = right(
      Write.insertAll(L, 'listed', [...rows.slice(0, 49_999), { name: 'too long', scores: [] }]),
    )
    const failed = await Write.run(bad)(Pg.interpreter(db.sql))()
    expect(E.isLeft(failed) && failed.left._tag).toBe('DbError')
    const [count] = await db.sql.unsafe('select count(*)::int as n from bulk_listed')
    expect(count).toEqual({ n: 0 })
  }, 60_000)
})

describe('the types of a hand-made insert', () => {
  const rows = range(100).map(i => [Ast.Expr.param(`v${i}`)])
  const insert = (types: unknown) =>
    Ast.Write.insert({
      table: 'tags',
      columns: ['slug'],
      rows,
      generated: [],
      key: ['slug'],
      onConflict: 'raise',
      returning: [],
      types: types as never,
    })

  it('a type that is not a plain type name is never spliced: the rows go as values', () => {
    for (const bad of ['text); drop table tags; --', 'text[]', '"text"', null]) {
      const s = Sql.statementToSql(insert([bad]))
      expect(E.isRight(s) && s.right.text.startsWith('insert into "tags" ("slug") values ($1), ($2)')).toBe(
        true,
      )
    }
    const ok = Sql.statementToSql(insert(['character varying(20)']))
    expect(E.map((c: { text: string }) => c.text)(ok)).toEqual(
      E.right('insert into "tags" ("slug") select * from unnest($1::character varying(20)[])'),
    )
  })

  it('types that are not one text (or null) per column: a typed error, no SQL', () => {
    for (const bad of [['text', 'text'], [1], 'text', [{}]]) {
      const s = Sql.statementToSql(insert(bad))
      expect(E.isLeft(s) && s.left.message).toContain("an insert's types are one SQL type")
    }
  })
})

describe('an insert given column by column (Insert.arrays)', () => {
  const fields = {
    table: 'tags',
    columns: ['slug', 'label', 'uses'],
    generated: [],
    key: ['slug'],
    onConflict: 'raise' as const,
    returning: ['slug', 'label', 'uses'],
    types: ['text', 'text', 'integer'],
  }
  const arrays = (
    slugs: ReadonlyArray<unknown>,
    labels: ReadonlyArray<unknown>,
    uses: ReadonlyArray<unknown>,
  ) => Ast.Write.insert({ ...fields, rows: [], arrays: [slugs, labels, uses].map(l => Ast.Expr.param(l)) })

  it('under 100 rows: values, one parameter per value; the same rows on both', async () => {
    const ins = arrays(['a', 'b'], ['A', 'B'], [1, 2])
    expect(Sql.statementToSql(ins)).toEqual(
      E.right({
        text: 'insert into "tags" ("slug", "label", "uses") values ($1, $2, $3), ($4, $5, $6) returning "slug", "label", "uses"',
        params: ['a', 'A', 1, 'b', 'B', 2],
      }),
    )
    const plan = Write.make<ReadonlyArray<unknown>>(M, [{ statement: ins, expect: 'any', note: 'tags' }], {
      _tag: 'Many',
      steps: [0],
      schema: 'tag',
    })
    const o = await agree(db.sql, plan)
    expect(o.memory).toEqual(o.pg)
    expect(o.memoryState).toEqual(o.pgState)
    expect(right(o.pg)).toEqual([
      { slug: 'a', label: 'A', uses: 1 },
      { slug: 'b', label: 'B', uses: 2 },
    ])
  })

  it('a NUL in a text value fails alike on both (22021), nothing written', async () => {
    const n = 120
    const ins = arrays(
      range(n).map(i => `s${i}`),
      range(n).map(i => (i === 100 ? 'bad\u0000' : `L${i}`)),
      range(n),
    )
    const plan = Write.make<ReadonlyArray<unknown>>(M, [{ statement: ins, expect: 'any', note: 'tags' }], {
      _tag: 'Many',
      steps: [0],
      schema: 'tag',
    })
    expect(Write.toSql(plan)[0]?.text).toContain('unnest(')
    const o = await agree(db.sql, plan)
    expect(kindOf(o.pg)).toMatchObject({ _tag: 'DbError', code: '22021' })
    expect(kindOf(o.memory)).toEqual(kindOf(o.pg))
    expect(o.pgState).toEqual(o.before)
    expect(o.memoryState).toEqual(o.before)
  })

  it('lists that are ragged, empty, beside rows, not lists, or hold a reference: a typed error, no SQL', () => {
    const bad = [
      arrays(['a', 'b'], ['A'], [1, 2]),
      arrays([], [], []),
      Ast.Write.insert({ ...fields, rows: [], arrays: [Ast.Expr.param(['a'])] }),
      Ast.Write.insert({
        ...fields,
        rows: [],
        arrays: [Ast.Expr.param('a'), Ast.Expr.param('A'), Ast.Expr.param(1)],
      }),
      Ast.Write.insert({
        ...fields,
        rows: [[Ast.Expr.param('a'), Ast.Expr.param('A'), Ast.Expr.param(1)]],
        arrays: [['a'], ['A'], [1]].map(l => Ast.Expr.param(l)),
      }),
      arrays(['a'], ['A'], [Ast.Write.ref(0, 'uses')]),
    ]
    for (const ins of bad) {
      const s = Sql.statementToSql(ins)
      expect(E.isLeft(s) && s.left.message).toMatch(/an insert given column by column/)
    }
  })
})
