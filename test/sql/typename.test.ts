// A model's SQL type names reach SQL text in one place, a cast (`unnest($1::integer[])` in a lateral
// preload into rows, `= any($1::int8[])`-style key walks): through `Compile.typeName`, which spells a
// plain type name back from its parts and refuses anything else, so a type string can never carry SQL.
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { Column, Pg, Schema } from '../../src/index.js'
import { typeName } from '../../src/sql/Compile.js'

describe('Compile.typeName', () => {
  it.each([
    ['integer', 'integer'],
    ['  BIGINT ', 'bigint'],
    ['character varying(20)', 'character varying(20)'],
    ['numeric( 10 ,2 )', 'numeric(10, 2)'],
    ['timestamp with time zone', 'timestamp with time zone'],
    ['public.mood', 'public.mood'],
    ['int4 [] []', 'int4[][]'],
  ])('spells %j as %j', (given, spelled) => expect(typeName(given)).toBe(spelled))

  it.each([
    'integer); drop table users; --',
    'integer[]; select 1',
    '"Mood"',
    'int -- comment',
    'int /* x */',
    "text collate 'C'",
    'numeric(10)(2)',
    'a.b.c',
    '',
  ])('refuses %j', given => expect(typeName(given)).toBeNull())

  it('refuses what is not a string, without a throw', () => {
    expect(typeName(null as unknown as string)).toBeNull()
    expect(typeName({ toString: () => 'integer' } as unknown as string)).toBeNull()
  })
})

describe('a key column whose type is not a plain name', () => {
  // Quoted: a real PostgreSQL type name, but not one typeName spells; the lateral strategy refuses it
  // before any statement (the client below points at a closed port and is never used).
  const owner = Schema.table('owner', 'owners', { id: Column.custom(t.number, '"Key"') })
  const item = Schema.table('item', 'items', {
    id: Column.serial,
    owner_id: Column.custom(t.number, '"Key"'),
  })
  const M = Schema.model({ owner, item }, { owner: { items: Schema.hasMany('item') } })

  it('is Unsupported for a lateral preload into rows, naming schema, association and column', async () => {
    expect(E.isRight(M)).toBe(true)
    if (E.isLeft(M)) return
    const sql = postgres('postgres://postgres@127.0.0.1:1/none', { connect_timeout: 1, max: 1 })
    const r = await Pg.preloadInto(M.right, 'owner', { items: true }, { strategy: 'lateral' })([{ id: 1 }])(
      sql,
    )()
    await sql.end({ timeout: 0 })
    expect(r).toMatchObject({ _tag: 'Left', left: { _tag: 'QueryError', code: 'Unsupported' } })
    if (E.isLeft(r)) {
      expect(r.left.message).toContain("'items'")
      expect(r.left.message).toContain("'owner'")
      expect(r.left.message).toContain("'id'")
    }
  })
})
