/**
 * The playground's data: rows for every table of the visitor's model, drawn with Quiver's own
 * arbitraries (`Arb.rows` from `quiver-sql/testing`) under a fixed seed, so that a model and a seed
 * always give the same rows. The tables are those `Ddl.ddl(model)` creates (join tables and custom
 * sources included), read from its statements, so the rows are known without a database: the memory
 * interpreter reads them from a Map, and `install` creates the tables in PGlite and inserts them.
 *
 * `Arb.rows` generates a serial `id` and columns of four types (integer, text, boolean, timestamptz),
 * with foreign keys that are mostly existing ids, sometimes null and sometimes dangling. Columns of
 * other types get values from small domains here; a table without an `id` (a join table) loses the
 * generated one. Foreign-key and unique constraints are dropped after the DDL, as the property tests
 * do, so that a dangling key or a repeated value is data rather than an error.
 */
import type { PGlite } from '@electric-sql/pglite'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { Ddl, type Memory } from '../../../src/index.js'
import type { AnyModel } from '../../../src/schema/Model.js'
import * as Arb from '../../../src/testing/index.js'

export interface Dataset {
  readonly ddl: ReadonlyArray<string>
  /** Per source table, its rows as postgres.js would return them. */
  readonly tables: Memory.Tables
  /** The column types per table, as the DDL gives them. */
  readonly columns: ReadonlyMap<string, ReadonlyArray<ColumnDef>>
}

export interface ColumnDef {
  readonly name: string
  readonly type: string
  readonly nullable: boolean
}

// The items of a parenthesised, comma-separated list, split at top-level commas (quotes respected).
const items = (s: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c === '"') quoted = !quoted
    else if (!quoted && c === '(') depth++
    else if (!quoted && c === ')') depth--
    else if (!quoted && depth === 0 && c === ',') {
      out.push(s.slice(start, i).trim())
      start = i + 1
    }
  }
  out.push(s.slice(start).trim())
  return out
}

const identifier = /^"((?:[^"]|"")*)"\s*/

/** The tables of `create table` statements as `Ddl.ddl` writes them: name, then columns and keys. */
export const tablesOf = (ddl: ReadonlyArray<string>): ReadonlyMap<string, ReadonlyArray<ColumnDef>> => {
  const out = new Map<string, ReadonlyArray<ColumnDef>>()
  for (const statement of ddl) {
    const head = /^create table "((?:[^"]|"")*)" \(/.exec(statement)
    if (head === null) continue
    const body = statement.slice(head[0].length, statement.lastIndexOf(')'))
    const columns: Array<ColumnDef> = []
    for (const item of items(body)) {
      const m = identifier.exec(item)
      if (m === null) continue // primary key (...), unique (...)
      const rest = item.slice(m[0].length)
      const type =
        rest.split(/ (?:not null|references|generated|default|primary key|unique)\b/)[0]?.trim() ?? rest
      columns.push({ name: (m[1] as string).replace(/""/g, '"'), type, nullable: !/ not null\b/.test(rest) })
    }
    out.set((head[1] as string).replace(/""/g, '"'), columns)
  }
  return out
}

const arbType = (sqlType: string): Arb.ColumnType | null => {
  const t = sqlType.toLowerCase().replace(/\(.*\)$/, '')
  return t === 'integer' || t === 'int' || t === 'int4' || t === 'smallint'
    ? 'integer'
    : t === 'text' || t === 'varchar' || t === 'character varying'
      ? 'text'
      : t === 'boolean'
        ? 'boolean'
        : t === 'timestamptz' || t === 'timestamp with time zone'
          ? 'timestamptz'
          : null
}

// Values for the column types `Arb.rows` does not draw, as postgres.js returns them.
const others: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  bigint: fc.constantFrom('0', '1', '9007199254740993', '-42'),
  numeric: fc.constantFrom('0', '1.5', '-2.25', '10'),
  'double precision': fc.constantFrom(0, 1.5, -2.25, 1e10),
  real: fc.constantFrom(0, 1.5, -2.25),
  uuid: fc.constantFrom(
    '00000000-0000-0000-0000-000000000001',
    '00000000-0000-0000-0000-000000000002',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  ),
  jsonb: fc.constantFrom({ a: 1 }, [1, 2], 'text', 3, true, { nested: { b: null } }),
  json: fc.constantFrom({ a: 1 }, [1, 2], 'text', 3),
}

/** The rows of every table of the model, for a seed; or why there are none. No database involved. */
export const generate = (model: AnyModel, seed: number, maxRows: number): E.Either<string, Dataset> => {
  const ddl = Ddl.ddl(model)
  if (E.isLeft(ddl)) return E.left(`Ddl.ddl: ${ddl.left.message}`)
  const columns = tablesOf(ddl.right)
  const fks = new Map(Ddl.foreignKeys(model).map(k => [`${k.table}.${k.column}`, k]))
  const hasIntId = (table: string): boolean =>
    (columns.get(table) ?? []).some(c => c.name === 'id' && arbType(c.type) === 'integer')

  // The spec `Arb.rows` reads: one table per source table, named by it.
  const spec: Arb.ModelSpec = {
    tables: [...columns].map(([table, cs]) => ({
      schema: table,
      source: table,
      columns: cs
        .filter(c => c.name !== 'id' && arbType(c.type) !== null)
        .map(c => {
          const fk = fks.get(`${table}.${c.name}`)
          const references =
            fk !== undefined &&
            fk.referencedColumn === 'id' &&
            arbType(c.type) === 'integer' &&
            hasIntId(fk.references)
              ? fk.references
              : null
          return { name: c.name, type: arbType(c.type) as Arb.ColumnType, nullable: c.nullable, references }
        }),
    })),
    associations: [],
  }
  const references = new Map(
    spec.tables.flatMap(t =>
      t.columns.flatMap(c =>
        c.references === null ? [] : [[`${t.source}.${c.name}`, c.references] as const],
      ),
    ),
  )
  const [drawn] = fc.sample(Arb.rows({ spec, model } as Arb.Generated, { maxRows }), { seed, numRuns: 1 })
  if (drawn === undefined) return E.left('no rows were drawn')

  const tables = new Map<string, ReadonlyArray<Readonly<Record<string, unknown>>>>()
  let n = 0
  for (const [table, cs] of columns) {
    const rows: Array<Readonly<Record<string, unknown>>> = []
    for (const generatedRow of drawn.get(table) ?? []) {
      const row: Record<string, unknown> = {}
      for (const c of cs) {
        if (c.name in generatedRow && (c.name !== 'id' || hasIntId(table))) {
          const v = generatedRow[c.name]
          // Arb.rows makes every foreign key nullable; a NOT NULL one takes the first row, or dangles.
          const target = references.get(`${table}.${c.name}`)
          row[c.name] =
            v === null && !c.nullable && target !== undefined
              ? (drawn.get(target) ?? []).length > 0
                ? 1
                : Arb.danglingId
              : v
        } else {
          const arb = others[c.type.toLowerCase().replace(/\(.*\)$/, '')]
          if (arb !== undefined) row[c.name] = fc.sample(arb, { seed: seed + ++n, numRuns: 1 })[0]
          else if (c.nullable) row[c.name] = null
          else return E.left(`no generator for column ${table}.${c.name} of type ${c.type}`)
        }
      }
      rows.push(Object.freeze(row))
    }
    tables.set(table, rows)
  }
  return E.right({ ddl: ddl.right, tables, columns })
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`

/** Creates the dataset's tables in PGlite (a fresh `playground` schema) and inserts its rows. */
export const install = async (db: PGlite, data: Dataset): Promise<E.Either<string, void>> => {
  try {
    await db.exec(
      'drop schema if exists playground cascade; create schema playground; set search_path to playground',
    )
    for (const s of data.ddl) await db.exec(s)
    // Dangling keys and repeated values are data here, as in the property tests.
    const constraints = await db.query<{ t: string; n: string; k: string; table: string }>(
      `select conrelid::regclass::text as t, c.relname as table, conname as n, contype as k
       from pg_constraint join pg_class c on c.oid = conrelid
       where connamespace = 'playground'::regnamespace and contype in ('f', 'u', 'p')`,
    )
    for (const c of constraints.rows) {
      const keepsId = c.k === 'p' && (data.columns.get(c.table) ?? []).some(x => x.name === 'id')
      if (!keepsId) await db.exec(`alter table ${c.t} drop constraint ${quote(c.n)}`)
    }
  } catch (u) {
    return E.left(`creating the tables: ${u instanceof Error ? u.message : String(u)}`)
  }
  for (const [table, rows] of data.tables) {
    const first = rows[0]
    if (first === undefined) continue
    const cols = Object.keys(first)
    const types = new Map((data.columns.get(table) ?? []).map(c => [c.name, c.type]))
    const params: Array<unknown> = []
    const values = rows.map(
      r =>
        `(${cols
          .map(c => {
            const v = r[c]
            const json = types.get(c) === 'json' || types.get(c) === 'jsonb'
            params.push(json && v !== null ? JSON.stringify(v) : v)
            return `$${params.length}`
          })
          .join(', ')})`,
    )
    try {
      await db.query(
        `insert into ${quote(table)} (${cols.map(quote).join(', ')}) values ${values.join(', ')}`,
        params,
      )
    } catch (u) {
      return E.left(`inserting into ${table}: ${u instanceof Error ? u.message : String(u)}`)
    }
  }
  return E.right(undefined)
}
