// Issue 13, generic test 1: an adversarial corpus of values (SQL metacharacters, comment sequences,
// quotes of every kind, dollar quoting, backslashes, placeholders, line separators, astral and
// non-characters, a 64 KB string, objects shaped like AST nodes) in every value position, and of names
// in every identifier position. For each value the statements that reach PostgreSQL (captured from the
// driver) are exactly those of a benign run with the value as a parameter, the value round-trips, and
// nothing else runs (a canary table is untouched). Values PostgreSQL refuses (NUL) fail as typed
// errors, leaving the database as it was.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Column, Ddl, Pg, Pred, Prepared, Preload, Query, Schema, Write } from '../../src/index.js'
import { connect, run, type TestDb } from '../support/db.js'

const strings: ReadonlyArray<string> = [
  "'; drop table canary; --",
  "' or '1'='1",
  '" or ""="',
  'x"; delete from canary; --',
  '1; select pg_sleep(10)',
  '/* open comment',
  '*/ close comment',
  '-- line comment',
  '$$ dollar $$',
  '$q$ tagged $q$',
  '\\',
  "\\'",
  "E'\\x27'",
  '`backtick`',
  '%_\\%',
  '$1',
  '?',
  ':name',
  '\u2028\u2029\r\n\t',
  '😀 z\uffff',
  "'".repeat(300),
  'a'.repeat(64 * 1024),
]
const shapes: ReadonlyArray<unknown> = [
  Object.freeze({
    _tag: 'Fragment',
    strings: Object.freeze(['1) or (select count(*) from canary) = 1 or (1', '']),
    args: Object.freeze([]),
  }),
  Object.freeze({ _tag: 'Ref', step: 0, column: 'title' }),
  Object.freeze({ _tag: 'ColumnRef', alias: 't0', column: 'id' }),
  Object.freeze({ _tag: 'Placeholder', name: 'x' }),
]

const doc = Schema.table('doc', 'docs', {
  id: Column.serial,
  title: Column.text,
  meta: Column.nullable(Column.json(t.unknown)),
})
const note = Schema.table('note', 'notes', {
  id: Column.serial,
  doc_id: Column.nullable(Column.integer),
  body: Column.text,
})
const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
const doc_tag = Schema.table(
  'doc_tag',
  'docs_tags',
  { doc_id: Column.integer, tag_id: Column.integer, label: Column.nullable(Column.text) },
  { primaryKey: [] },
)
const canary = Schema.table('canary', 'canary', { id: Column.integer })
const modelWith = (v: string) =>
  Schema.modelOrThrow(
    { doc, note, tag, doc_tag, canary },
    {
      doc: {
        notes: Schema.hasMany('note'),
        filtered: Schema.hasMany('note', { where: { body: v } }),
        tags: Schema.manyToMany('tag', { joinThrough: 'doc_tag', joinDefaults: { label: v } }),
      },
    },
  )
const B = modelWith('benign')

let db: TestDb
const sent: Array<string> = []
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [...right(Ddl.ddl(B)), 'insert into canary values (1)'])
  ;(db.sql.options as { debug: unknown }).debug = (_: number, text: string) => sent.push(text)
})
// One round trip: the corpus runs each position hundreds of times.
const reset = () =>
  db.sql.unsafe(
    "truncate docs, notes, tags, docs_tags restart identity; insert into docs (title) values ('one'); insert into notes (doc_id, body) values (1, 'n'); insert into tags (name) values ('t')",
  )
beforeEach(reset)
afterAll(async () => db.close())

// The statements an action sends, with the canary checked after it.
const capture = async (
  action: () => Promise<unknown>,
): Promise<{ readonly texts: ReadonlyArray<string>; readonly result: unknown }> => {
  sent.length = 0
  const result = await action()
  const texts = [...sent]
  const c = await db.sql`select count(*)::int as n from canary`
  expect(c).toEqual([{ n: 1 }])
  return { texts, result }
}

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}

// Every position, as a function of the value; each returns what the database gave back.
const positions: ReadonlyArray<readonly [string, (v: string) => Promise<unknown>]> = [
  [
    'predicate',
    async v =>
      right(
        await Pg.all(
          pipe(
            Query.from(B, 'doc'),
            Query.where(d => Pred.eq(d.title, v)),
          ),
        )(db.sql)(),
      ),
  ],
  // A pattern ending in the escape character is PostgreSQL's typed error (22025), the same statement sent.
  [
    'like pattern',
    async v =>
      Pg.all(
        pipe(
          Query.from(B, 'doc'),
          Query.where(d => Pred.like(d.title, v)),
        ),
      )(db.sql)(),
  ],
  [
    'in list',
    async v =>
      right(
        await Pg.all(
          pipe(
            Query.from(B, 'doc'),
            Query.where(d => Pred.isIn(d.title, [v, 'one'])),
          ),
        )(db.sql)(),
      ),
  ],
  [
    'fragment argument',
    async v =>
      right(
        await Pg.all(
          pipe(
            Query.from(B, 'doc'),
            Query.where(d => Pred.fragment`${d.title} <> ${v}`),
          ),
        )(db.sql)(),
      ),
  ],
  [
    'exists filter',
    async v =>
      right(
        await Pg.all(
          pipe(
            Query.from(B, 'doc'),
            Query.where((_, $) => $.exists('notes', n => Pred.eq(n.body, v))),
          ),
        )(db.sql)(),
      ),
  ],
  [
    'preload filter (batched)',
    async v =>
      right(
        await Pg.all(
          pipe(Query.from(B, 'doc'), Query.preload({ notes: Preload.query({ where: { body: v } }) })),
          { strategy: 'batched' },
        )(db.sql)(),
      ),
  ],
  [
    'preload filter (lateral)',
    async v =>
      right(
        await Pg.all(
          pipe(Query.from(B, 'doc'), Query.preload({ notes: Preload.query({ where: { body: v } }) })),
          { strategy: 'lateral' },
        )(db.sql)(),
      ),
  ],
  [
    'association where',
    async v =>
      right(
        await Pg.all(pipe(Query.from(modelWith(v), 'doc'), Query.preload({ filtered: true })), {
          strategy: 'batched',
        })(db.sql)(),
      ),
  ],
  [
    'prepared argument',
    async v => {
      const p = Prepared.make({ title: t.string }, ({ title }) =>
        pipe(
          Query.from(B, 'doc'),
          Query.where(d => Pred.eq(d.title, title)),
        ),
      )
      return right(await Pg.prepared(p)({ title: v })(db.sql)())
    },
  ],
  [
    'insert',
    async v =>
      right(await Write.run(right(Write.insert(B, 'doc', { title: v, meta: v })))(Pg.interpreter(db.sql))()),
  ],
  [
    'update',
    async v =>
      right(
        await Write.run(
          right(Write.update(B, 'doc', { id: 1, title: 'one', meta: null }, { title: v, meta: v })),
        )(Pg.interpreter(db.sql))(),
      ),
  ],
  [
    'putAssoc params',
    async v => {
      const c = right(
        pipe(
          Write.change(B, 'doc', { id: 1, title: 'one', meta: null, notes: [] }),
          Write.putAssoc('notes', [{ body: v }]),
        ),
      )
      return right(await Write.run(right(Write.toPlan(c)))(Pg.interpreter(db.sql))())
    },
  ],
  [
    'castAssoc params',
    async v => {
      const c = right(
        pipe(
          Write.change(B, 'doc', { id: 1, title: 'one', meta: null, notes: [] }),
          Write.castAssoc('notes', [{ body: v }], { permit: ['body'] }),
        ),
      )
      return right(await Write.run(right(Write.toPlan(c)))(Pg.interpreter(db.sql))())
    },
  ],
  [
    'join defaults',
    async v => {
      const M = modelWith(v)
      const c = right(
        pipe(
          Write.change(M, 'doc', { id: 1, title: 'one', meta: null, tags: [] }),
          Write.putAssoc('tags', [{ id: 1, name: 't' }]),
        ),
      )
      return right(await Write.run(right(Write.toPlan(c)))(Pg.interpreter(db.sql))())
    },
  ],
]

// A value and 'benign' send the same statements; the value round-trips where it is stored.
const stored = async (): Promise<ReadonlyArray<unknown>> => [
  ...(await db.sql`select title, meta from docs order by id`),
  ...(await db.sql`select body from notes order by id`),
  ...(await db.sql`select label from docs_tags`),
]

describe('adversarial values in every value position', () => {
  for (const [position, act] of positions)
    it(position, async () => {
      const reference = await capture(() => act('benign'))
      expect(reference.texts.length).toBeGreaterThan(0)
      const benignStored = JSON.stringify(await stored()).replaceAll('benign', '\u0001')
      for (const v of strings) {
        await reset()
        const r = await capture(() => act(v))
        expect(r.texts).toEqual(reference.texts)
        // What was written holds the value exactly where the benign run held 'benign'.
        expect(
          JSON.stringify(await stored())
            .split(JSON.stringify(v).slice(1, -1))
            .join('\u0001'),
        ).toBe(benignStored)
      }
    })

  it('objects shaped like AST nodes are values in a json column: written and read back as themselves', async () => {
    for (const v of shapes) {
      const ins = await capture(async () =>
        right(
          await Write.run(right(Write.insert(B, 'doc', { title: 'shape', meta: v })))(
            Pg.interpreter(db.sql),
          )(),
        ),
      )
      expect(ins.texts.filter(x => x.startsWith('insert'))).toEqual([
        'insert into "docs" ("title", "meta") values ($1, $2) returning "id", "title", "meta"',
      ])
      expect((ins.result as { readonly meta: unknown }).meta).toEqual(v)
      const found = right(
        await Pg.all(
          pipe(
            Query.from(B, 'doc'),
            Query.where(d => Pred.eq(d.meta, v as object)),
          ),
        )(db.sql)(),
      )
      expect(found.map(d => d.title)).toEqual(['shape'])
      await run(db.sql, ["delete from docs where title = 'shape'"])
    }
  })

  it('a NUL character is refused by PostgreSQL as a typed error, and nothing is written', async () => {
    const before = await stored()
    const r = await Write.run(right(Write.insert(B, 'doc', { title: 'a\u0000b' })))(Pg.interpreter(db.sql))()
    expect(E.isLeft(r)).toBe(true)
    const q = await Pg.all(
      pipe(
        Query.from(B, 'doc'),
        Query.where(d => Pred.eq(d.title, 'a\u0000b')),
      ),
    )(db.sql)()
    expect(E.isLeft(q)).toBe(true)
    expect(await stored()).toEqual(before)
    expect(E.isRight(await Pg.all(Query.from(B, 'doc'))(db.sql)())).toBe(true)
  })
})

describe('adversarial names in every identifier position', () => {
  const names = [
    'we"ird',
    "it's",
    'semi;colon',
    'two words',
    '--dash',
    'user',
    'Upper',
    '$z',
    'back\\slash',
    'ünï😀',
  ]
  it('tables, columns, keys, schemas, associations and join tables with any name are quoted everywhere', async () => {
    for (const [i, n] of names.entries()) {
      const owner = Schema.table(
        `o${n}`,
        `own ${n} ${i}`,
        { [`id ${n}`]: Column.serial, [`name ${n}`]: Column.text },
        { primaryKey: `id ${n}` },
      )
      const child = Schema.table(
        `c${n}`,
        `child ${n} ${i}`,
        {
          [`id ${n}`]: Column.serial,
          [`fk ${n}`]: Column.nullable(Column.integer),
          [`body ${n}`]: Column.text,
        },
        { primaryKey: `id ${n}` },
      )
      const M = Schema.model({ [`o${n}`]: owner, [`c${n}`]: child }, {
        [`o${n}`]: {
          [`kids ${n}`]: Schema.hasMany(`c${n}`, { foreignKey: `fk ${n}`, references: `id ${n}` }),
          [`tags ${n}`]: Schema.manyToMany(`c${n}`, {
            joinThrough: `join ${n} ${i}`,
            joinKeys: [
              [`a ${n}`, `id ${n}`],
              [`b ${n}`, `id ${n}`],
            ],
          }),
        },
        [`c${n}`]: {
          [`parent ${n}`]: Schema.belongsTo(`o${n}`, { foreignKey: `fk ${n}`, references: `id ${n}` }),
        },
      } as never)
      expect(E.isRight(M)).toBe(true)
      if (E.isLeft(M)) continue
      const m = M.right as never as Parameters<typeof Ddl.ddl>[0]
      const captured = await capture(async () => {
        await run(db.sql, right(Ddl.ddl(m)))
        const o = right(
          await Write.run(right(Write.insert(m as never, `o${n}` as never, { [`name ${n}`]: n } as never)))(
            Pg.interpreter(db.sql),
          )(),
        ) as Record<string, unknown>
        const c = right(
          pipe(
            Write.change(m as never, `o${n}` as never, { ...o, [`kids ${n}`]: [] } as never),
            Write.putAssoc(`kids ${n}` as string, [{ [`body ${n}`]: n }]),
          ),
        )
        right(await Write.run(right(Write.toPlan(c)))(Pg.interpreter(db.sql))())
        for (const strategy of ['batched', 'lateral'] as const) {
          const rows = right(
            await Pg.all(
              pipe(
                Query.from(m as never, `o${n}` as never),
                Query.preload({ [`kids ${n}`]: { [`parent ${n}`]: true }, [`tags ${n}`]: true } as never),
              ),
              { strategy },
            )(db.sql)(),
          ) as ReadonlyArray<Record<string, unknown>>
          expect(rows).toHaveLength(1)
          const kids = rows[0]?.[`kids ${n}`] as ReadonlyArray<Record<string, unknown>>
          expect(kids.map(k => k[`body ${n}`])).toEqual([n])
        }
      })
      // Each identifier appears only quoted: between double quotes, its own quotes doubled.
      for (const text of captured.texts) expect(text.replace(/"(?:[^"]|"")*"/g, '""')).not.toContain(n)
    }
  })
})
