// Support for the property tests: run counts, a PostgreSQL connection that does not prepare statements
// (every case creates tables of its own shape, and a prepared statement cached for one shape would not
// fit the next), loading a generated model and dataset inside a transaction that is rolled back, and
// comparing results.
import * as E from 'fp-ts/lib/Either.js'
import postgres from 'postgres'
import type { Interpreter } from '../../src/run/Interpreter.js'
import * as Memory from '../../src/interpreter/memory/Memory.js'
import * as Numeric from '../../src/interpreter/memory/Numeric.js'
import * as Pg from '../../src/interpreter/postgres/Postgres.js'
import * as Ddl from '../../src/sql/Ddl.js'
import { ident } from '../../src/sql/Compile.js'
import type * as Arb from '../../src/testing/index.js'
import { startEmbedded } from '../support/db.js'

/**
 * Runs per property: `FC_NUM_RUNS` when set; else the given default, times `FC_RUNS_SCALE` when that is
 * a fraction in (0, 1). `npm test` sets `FC_RUNS_SCALE=0.5` (it must stay under 3 minutes on two cores,
 * and CI runs it on every change); `npm run test:property` runs every property here at its full
 * default, and `FC_NUM_RUNS=10000` at length.
 */
export const numRuns = (fallback: number): number => {
  const n = Number(process.env['FC_NUM_RUNS'])
  if (Number.isInteger(n) && n > 0) return n
  const scale = Number(process.env['FC_RUNS_SCALE'])
  return scale > 0 && scale < 1 ? Math.max(1, Math.ceil(fallback * scale)) : fallback
}

/** fast-check parameters for a property: the run count, and a seed from `FC_SEED` to replay a failure. */
export const params = (fallback: number): { numRuns: number; seed?: number; endOnFailure: boolean } => {
  const seed = Number(process.env['FC_SEED'])
  return {
    numRuns: numRuns(fallback),
    endOnFailure: false,
    ...(Number.isInteger(seed) && process.env['FC_SEED'] !== undefined ? { seed } : {}),
  }
}

export interface PropertyDb {
  readonly sql: postgres.Sql
  readonly close: () => Promise<void>
}

export const connect = async (): Promise<PropertyDb> => {
  const url = process.env['DATABASE_URL']
  if (url !== undefined && url !== '') {
    const ns = `quiver_prop_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
    const sql = postgres(url, {
      max: 1,
      prepare: false,
      onnotice: () => undefined,
      connection: { search_path: ns },
    })
    await sql.unsafe(`create schema ${ident(ns)}`)
    return {
      sql,
      close: async () => {
        await sql.unsafe(`drop schema ${ident(ns)} cascade`)
        await sql.end({ timeout: 5 })
      },
    }
  }
  const e = await startEmbedded({ client: { prepare: false } })
  return { sql: e.sql, close: e.stop }
}

const rollback = Symbol('rollback')

/**
 * Creates the model's tables (through `Ddl.ddl`), inserts the dataset (moving the id sequences past
 * it), keeps a real foreign key on every key whose values all exist (a dangling key gets none), runs
 * `body` on that database and rolls everything back.
 */
export const withData = async <A>(
  sql: postgres.Sql,
  g: Arb.Generated,
  data: Arb.Dataset,
  body: (pg: Interpreter, tx: postgres.TransactionSql) => Promise<A>,
): Promise<A> => {
  const statements = Ddl.ddl(g.model)
  if (E.isLeft(statements)) throw new Error(`ddl failed: ${statements.left.message}`)
  let out: { readonly a: A } | undefined
  try {
    await sql.begin(async tx => {
      for (const s of statements.right) await tx.unsafe(s)
      const fks = await tx.unsafe(
        `select conrelid::regclass::text as t, conname as n from pg_constraint
         where contype = 'f' and connamespace = current_schema()::regnamespace`,
      )
      for (const fk of fks)
        await tx.unsafe(`alter table ${fk['t']} drop constraint ${ident(String(fk['n']))}`)
      for (const [source, rows] of data) {
        const first = rows[0]
        if (first === undefined) continue
        const cols = Object.keys(first)
        const params: Array<unknown> = []
        const values = rows.map(
          r =>
            `(${cols
              .map(c => {
                params.push(r[c])
                return `$${params.length}`
              })
              .join(', ')})`,
        )
        await tx.unsafe(
          `insert into ${ident(source)} (${cols.map(ident).join(', ')}) values ${values.join(', ')}`,
          params as Array<postgres.ParameterOrJSON<never>>,
        )
        // The rows came with their ids: move the id sequence past them, so an insert that leaves
        // `id` out gets `max + 1`, as on the memory interpreter.
        if ('id' in first)
          await tx.unsafe(
            `select setval(pg_get_serial_sequence($1, 'id'), (select max("id") from ${ident(source)}))`,
            [source],
          )
      }
      for (const fk of Ddl.foreignKeys(g.model)) {
        const ids = new Set((data.get(fk.references) ?? []).map(r => r[fk.referencedColumn]))
        const ok = (data.get(fk.table) ?? []).every(r => r[fk.column] === null || ids.has(r[fk.column]))
        if (ok)
          await tx.unsafe(
            `alter table ${ident(fk.table)} add foreign key (${ident(fk.column)}) references ${ident(fk.references)} (${ident(fk.referencedColumn)})`,
          )
      }
      out = { a: await body(Pg.interpreter(tx), tx) }
      throw rollback
    })
  } catch (u) {
    if (u !== rollback) throw u
  }
  if (out === undefined) throw new Error('the transaction body did not run')
  return out.a
}

/** A canonical text of a value, equal exactly when PostgreSQL would call two decoded values equal. */
export const canonical = (v: unknown): string => {
  if (v === null || v === undefined) return 'null'
  if (v instanceof Date) return `D${v.getTime()}`
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map(k => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`
  return JSON.stringify(v)
}

export const multiset = (rows: ReadonlyArray<unknown>): ReadonlyArray<string> => rows.map(canonical).sort()

export const asSet = (rows: ReadonlyArray<unknown>): ReadonlyArray<string> => [...new Set(multiset(rows))]

/** A comparator for the order terms of a query spec, with PostgreSQL's NULL placement. */
/** The `bigint` and `numeric` columns of a generated schema: their decimal text orders by value. */
export const decimalColumns = (g: Arb.Generated, schema: string): ReadonlySet<string> =>
  new Set(
    (g.spec.tables.find(t => t.schema === schema)?.columns ?? [])
      .filter(c => c.type === 'bigint' || c.type === 'numeric')
      .map(c => c.name),
  )

export const comparator =
  (orderBy: ReadonlyArray<readonly [string, string]>, decimals: ReadonlySet<string> = new Set()) =>
  (x: Readonly<Record<string, unknown>>, y: Readonly<Record<string, unknown>>): number => {
    for (const [dir, column] of orderBy) {
      const desc = dir.startsWith('desc')
      const nullsLast = dir.endsWith('nulls_last') ? true : dir.endsWith('nulls_first') ? false : !desc
      const a = x[column]
      const b = y[column]
      const an = a === null || a === undefined
      const bn = b === null || b === undefined
      if (an && bn) continue
      if (an) return nullsLast ? 1 : -1
      if (bn) return nullsLast ? -1 : 1
      const c =
        decimals.has(column) && typeof a === 'string' && typeof b === 'string'
          ? (Numeric.compare(a, b) ?? Memory.compareValues(a, b))
          : Memory.compareValues(a, b)
      if (c !== 0) return desc ? -c : c
    }
    return 0
  }

export const isSorted = <A>(xs: ReadonlyArray<A>, cmp: (a: A, b: A) => number): boolean =>
  xs.every((x, i) => i === 0 || cmp(xs[i - 1] as A, x) <= 0)

export const show = (u: unknown): string =>
  JSON.stringify(u, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 0)
