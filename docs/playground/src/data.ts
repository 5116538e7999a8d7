/**
 * The playground's data: rows for every table of the visitor's model, drawn with Quiver's own
 * arbitraries (`Arb.rows` from `quiver-sql/testing`) under a fixed seed, so a page load always shows
 * the same rows for the same model and seed. The tables are created in PGlite with `Ddl.ddl(model)`
 * and filled with exactly these rows; the memory interpreter reads the same rows from a Map.
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

/** The rows of a load: per source table, as postgres.js would return them. */
export type Tables = Memory.Tables

export interface Dataset {
  readonly ddl: ReadonlyArray<string>
  readonly tables: Tables
  /** The number of rows per table, in DDL order. */
  readonly counts: ReadonlyArray<readonly [string, number]>
}

interface Described {
  readonly table: string
  readonly column: string
  readonly type: string
  readonly nullable: boolean
}

const arbType = (sqlType: string): Arb.ColumnType | null =>
  sqlType === 'integer' || sqlType === 'smallint'
    ? 'integer'
    : sqlType === 'text' || sqlType === 'character varying'
      ? 'text'
      : sqlType === 'boolean'
        ? 'boolean'
        : sqlType === 'timestamp with time zone'
          ? 'timestamptz'
          : null

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
  date: fc.constantFrom(new Date('2020-01-01T00:00:00Z'), new Date('2024-02-29T00:00:00Z')),
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`

/**
 * Creates the model's tables in PGlite (in a fresh `playground` schema) and fills them with generated
 * rows; answers the rows, or what went wrong (a model without DDL, a column type with no generator).
 */
export const load = async (
  db: PGlite,
  model: AnyModel,
  seed: number,
  maxRows: number,
): Promise<E.Either<string, Dataset>> => {
  const ddl = Ddl.ddl(model)
  if (E.isLeft(ddl)) return E.left(`Ddl.ddl: ${ddl.left.message}`)
  await db.exec(
    'drop schema if exists playground cascade; create schema playground; set search_path to playground',
  )
  try {
    for (const s of ddl.right) await db.exec(s)
  } catch (u) {
    return E.left(`creating the tables: ${u instanceof Error ? u.message : String(u)}`)
  }
  const described = (
    await db.query<{ table: string; column: string; type: string; nullable: string }>(
      `select table_name as "table", column_name as "column", data_type as "type", is_nullable as "nullable"
       from information_schema.columns where table_schema = 'playground' order by table_name, ordinal_position`,
    )
  ).rows.map((r): Described => ({ ...r, nullable: r.nullable === 'YES' }))
  const tableNames = [...new Set(described.map(d => d.table))]
  const fks = new Map(Ddl.foreignKeys(model).map(k => [`${k.table}.${k.column}`, k]))
  const hasIntId = (table: string): boolean =>
    described.some(d => d.table === table && d.column === 'id' && arbType(d.type) === 'integer')

  // The spec `Arb.rows` reads: one table per source table, named by it.
  const spec: Arb.ModelSpec = {
    tables: tableNames.map(table => ({
      schema: table,
      source: table,
      columns: described
        .filter(d => d.table === table && d.column !== 'id' && arbType(d.type) !== null)
        .map(d => {
          const fk = fks.get(`${table}.${d.column}`)
          const references =
            fk !== undefined &&
            fk.referencedColumn === 'id' &&
            arbType(d.type) === 'integer' &&
            hasIntId(fk.references)
              ? fk.references
              : null
          return { name: d.column, type: arbType(d.type) as Arb.ColumnType, nullable: d.nullable, references }
        }),
    })),
    associations: [],
  }
  const references = new Map(
    spec.tables.flatMap(t =>
      t.columns.flatMap(c => (c.references === null ? [] : [[`${t.source}.${c.name}`, c.references]])),
    ),
  )
  const generated = { spec, model } as Arb.Generated
  const [drawn] = fc.sample(Arb.rows(generated, { maxRows }), { seed, numRuns: 1 })
  if (drawn === undefined) return E.left('no rows were drawn')

  // The columns Arb.rows left out, and join tables' ids.
  const tables = new Map<string, ReadonlyArray<Record<string, unknown>>>()
  let n = 0
  for (const table of tableNames) {
    const rows: Array<Record<string, unknown>> = []
    for (const generatedRow of drawn.get(table) ?? []) {
      const row: Record<string, unknown> = {}
      for (const d of described.filter(x => x.table === table)) {
        if (d.column in generatedRow && (d.column !== 'id' || hasIntId(table))) {
          const v = generatedRow[d.column]
          // Arb.rows makes every foreign key nullable; a NOT NULL one takes the first row, or dangles.
          const target = references.get(`${table}.${d.column}`)
          row[d.column] =
            v === null && !d.nullable && target !== undefined
              ? (drawn.get(target) ?? []).length > 0
                ? 1
                : Arb.danglingId
              : v
        } else {
          const arb = others[d.type]
          if (arb === undefined) {
            if (d.nullable) row[d.column] = null
            else return E.left(`no generator for column ${table}.${d.column} of type ${d.type}`)
          } else row[d.column] = fc.sample(arb, { seed: seed + ++n, numRuns: 1 })[0]
        }
      }
      rows.push(row)
    }
    tables.set(table, rows)
  }

  // Dangling keys and repeated values are data here, as in the property tests.
  const constraints = (
    await db.query<{ t: string; n: string; k: string }>(
      `select conrelid::regclass::text as t, conname as n, contype as k from pg_constraint
       where connamespace = 'playground'::regnamespace and contype in ('f', 'u', 'p')`,
    )
  ).rows
  for (const c of constraints)
    if (c.k !== 'p' || !hasIntId(c.t.replace(/^"|"$/g, '')))
      await db.exec(`alter table ${c.t} drop constraint ${quote(c.n)}`)

  for (const [table, rows] of tables) {
    const first = rows[0]
    if (first === undefined) continue
    const cols = Object.keys(first)
    const params: Array<unknown> = []
    const values = rows.map(
      r =>
        `(${cols
          .map(c => {
            const v = r[c]
            const type = described.find(d => d.table === table && d.column === c)?.type
            params.push((type === 'json' || type === 'jsonb') && v !== null ? JSON.stringify(v) : v)
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
  const frozen = new Map([...tables].map(([t, rows]) => [t, rows.map(r => Object.freeze(r))]))
  return E.right({
    ddl: ddl.right,
    tables: frozen,
    counts: [...frozen].map(([t, rows]) => [t, rows.length] as const),
  })
}
