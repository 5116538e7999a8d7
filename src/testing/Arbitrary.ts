/**
 * fast-check arbitraries for property-testing association semantics: random models, rows consistent
 * with a model's keys, and random queries over a model. Everything generated is plain data first (a
 * `ModelSpec`, a `Dataset`, a `QuerySpec`), so a shrunk counterexample prints as a small readable value,
 * and is turned into library values by `model` (inside the arbitrary) and `toQuery`.
 *
 * Generated text is drawn from a small alphabet that includes LIKE metacharacters, accented letters and
 * characters outside the Basic Multilingual Plane; its order is code-point order, the order of the `C`
 * and `C.UTF-8` collations. Under a language-aware collation PostgreSQL orders such text differently
 * from the memory interpreter.
 *
 * fast-check is a peer dependency of `quiver-sql/testing` (optional for the main entry).
 *
 * @since 0.1.0
 */
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { absurd } from 'fp-ts/lib/function.js'
import * as Expr from '../ast/Expr.js'
import type { WriteError } from '../error/WriteError.js'
import * as MemoryWrite from '../interpreter/memory/Write.js'
import * as Fn from '../query/Fn.js'
import * as Pred from '../query/Pred.js'
import * as Query from '../query/Query.js'
import type { RawRow } from '../run/Interpreter.js'
import * as Preload from '../run/Preload.js'
import * as A from '../schema/Association.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'
import * as Table from '../schema/Table.js'
import type * as Plan from '../write/Plan.js'
import * as WriteRecord from '../write/Record.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The types a generated data column may have: the ones whose values both interpreters compare and
 * order alike. `bigint` and `numeric` values are decimal text (beyond 2^53, negative, fractional).
 *
 * @category model
 * @since 0.1.0
 */
export type ColumnType = 'integer' | 'text' | 'boolean' | 'timestamptz' | 'bigint' | 'numeric'

/**
 * A generated column besides `id`: its name, type and nullability, and, for a foreign key, the schema
 * it points at.
 *
 * @category model
 * @since 0.1.0
 */
export interface ColumnSpec {
  readonly name: string
  readonly type: ColumnType
  readonly nullable: boolean
  /** For a foreign key: the schema whose `id` it references. */
  readonly references: string | null
}

/**
 * A table: always an integer `id` (serial, primary key), then data columns and foreign keys.
 *
 * @category model
 * @since 0.1.0
 */
export interface TableSpec {
  readonly schema: string
  readonly source: string
  readonly columns: ReadonlyArray<ColumnSpec>
}

/**
 * An association `where` / `joinWhere` filter, in one of the value forms (fragments excluded: they
 * cannot be evaluated in memory).
 *
 * @category model
 * @since 0.1.0
 */
export interface FilterSpec {
  readonly column: string
  readonly form: 'null' | 'notNull' | 'eq' | 'in'
  readonly values: ReadonlyArray<unknown>
}

/**
 * A generated association of `owner`, named `name`, by `kind`: has-many / has-one and belongs-to over
 * a foreign key, many-to-many through a join table, or a through chain over other associations'
 * names. Filters and orders are given in the forms `build` turns into association options.
 *
 * @category model
 * @since 0.1.0
 */
export type AssocSpec =
  | {
      readonly kind: 'hasMany' | 'hasOne'
      readonly owner: string
      readonly name: string
      readonly target: string
      readonly foreignKey: string
      readonly where: ReadonlyArray<FilterSpec>
      readonly preloadOrder: ReadonlyArray<readonly [A.Direction, string]>
      /** Absent: `nothing`. */
      readonly onDelete?: A.OnDelete
    }
  | {
      readonly kind: 'belongsTo'
      readonly owner: string
      readonly name: string
      readonly target: string
      readonly foreignKey: string
      readonly where: ReadonlyArray<FilterSpec>
    }
  | {
      readonly kind: 'manyToMany'
      readonly owner: string
      readonly name: string
      readonly target: string
      readonly joinThrough: string
      readonly joinKeys: readonly [readonly [string, string], readonly [string, string]]
      readonly joinWhere: ReadonlyArray<FilterSpec>
      readonly where: ReadonlyArray<FilterSpec>
      readonly preloadOrder: ReadonlyArray<readonly [A.Direction, string]>
      /** Absent: `nothing`. */
      readonly onDelete?: 'nothing' | 'delete_all'
    }
  | {
      readonly kind: 'through'
      readonly owner: string
      readonly name: string
      readonly path: ReadonlyArray<string>
      readonly cardinality: 'one' | 'many'
    }

/**
 * A model as plain data: its tables and associations. It is what a failing property prints, and
 * `build` makes the model from it.
 *
 * @category model
 * @since 0.1.0
 */
export interface ModelSpec {
  readonly tables: ReadonlyArray<TableSpec>
  readonly associations: ReadonlyArray<AssocSpec>
}

/**
 * A generated model: its spec (what a counterexample prints) and the validated model.
 *
 * @category model
 * @since 0.1.0
 */
export interface Generated {
  readonly spec: ModelSpec
  readonly model: Model.AnyModel
}

/**
 * Rows per source table, as postgres.js returns them (the input of the memory interpreter).
 *
 * @category model
 * @since 0.1.0
 */
export type Dataset = ReadonlyMap<string, ReadonlyArray<RawRow>>

/**
 * A predicate over a schema's rows.
 *
 * @category model
 * @since 0.1.0
 */
export type PredSpec =
  | {
      readonly _tag: 'Compare'
      readonly op: Expr.CompareOp
      readonly column: string
      readonly value: unknown
    }
  | { readonly _tag: 'In'; readonly column: string; readonly values: ReadonlyArray<unknown> }
  | { readonly _tag: 'IsNull' | 'NotNull'; readonly column: string }
  | {
      readonly _tag: 'Like'
      readonly column: string
      readonly pattern: string
      readonly caseInsensitive: boolean
    }
  | { readonly _tag: 'Not'; readonly pred: PredSpec }
  | { readonly _tag: 'And' | 'Or'; readonly preds: ReadonlyArray<PredSpec> }
  | {
      readonly _tag: 'Exists' | 'NotExists' | 'Every'
      readonly association: string
      readonly pred: PredSpec | null
    }

/**
 * A query over a model: a root (all rows of a schema, or `assoc` from some owners by association name
 * or path), then `where` conjuncts, order, distinct, offset and limit.
 *
 * @category model
 * @since 0.1.0
 */
export interface QuerySpec {
  readonly root:
    | { readonly _tag: 'From'; readonly schema: string }
    | {
        readonly _tag: 'Assoc'
        readonly schema: string
        readonly path: ReadonlyArray<string>
        /** Owner ids, looked up in the dataset. */
        readonly owners: ReadonlyArray<number>
      }
  readonly where: ReadonlyArray<PredSpec>
  readonly orderBy: ReadonlyArray<readonly [A.Direction, string]>
  readonly distinct: boolean
  readonly offset: number | null
  readonly limit: number | null
}

/**
 * A preload spec over a schema: per association, `true`, a nested spec, or a custom query (filters in
 * the association `where` forms, an order, a per-parent limit and offset) with a nested spec.
 *
 * @category model
 * @since 0.1.0
 */
export interface PreloadSpec {
  readonly [association: string]: PreloadValue
}

/**
 * What a `PreloadSpec` says of one association: load it (`true`), load it and go on (`Nested`), or
 * load it through a custom query (`Query`) with its own filters, order, limit and offset.
 *
 * @category model
 * @since 0.1.0
 */
export type PreloadValue =
  | true
  | { readonly _tag: 'Nested'; readonly preload: PreloadSpec }
  | {
      readonly _tag: 'Query'
      readonly where: ReadonlyArray<FilterSpec>
      readonly orderBy: ReadonlyArray<readonly [A.Direction, string]>
      readonly limit: number | null
      readonly offset: number | null
      readonly preload: PreloadSpec
    }

// -------------------------------------------------------------------------------------
// utils: domains
// -------------------------------------------------------------------------------------

const texts: ReadonlyArray<string> = [
  '',
  'a',
  'A',
  'b',
  'ab',
  'aB',
  'a%b',
  'b_',
  'é',
  'É',
  'a\\b',
  'z😀',
  'z\uffff',
]
const dates: ReadonlyArray<Date> = [
  new Date('1999-12-31T23:59:59.999Z'),
  new Date('2020-01-01T00:00:00.000Z'),
  new Date('2020-01-01T00:00:00.001Z'),
  new Date('2024-02-29T12:30:00.000Z'),
]
// Numerics of one display scale: of two equal values of different scales (`1.0`, `1.00`), which text a
// DISTINCT or a GROUP BY shows is PostgreSQL's choice (test/query/decimal.test.ts covers them).
const domains: Readonly<Record<ColumnType, ReadonlyArray<unknown>>> = {
  integer: [-1, 0, 1, 2, 3],
  text: texts,
  boolean: [false, true],
  timestamptz: dates,
  bigint: ['0', '1', '-3', '9007199254740993', '-9007199254740993'],
  numeric: ['0.00', '1.00', '-2.50', '0.01', '12345678901234567.89'],
}
const likeTokens: ReadonlyArray<string> = [
  'a',
  'A',
  'b',
  'é',
  '😀',
  '%',
  '%',
  '_',
  '\\%',
  '\\_',
  '\\\\',
  '\\a',
]

const sqlTypes: Readonly<Record<ColumnType, Column.Column<unknown>>> = {
  integer: Column.integer,
  text: Column.text,
  boolean: Column.boolean,
  timestamptz: Column.timestamptz,
  bigint: Column.bigint,
  numeric: Column.numeric,
}

const pick = <T>(xs: ReadonlyArray<T>, i: number): T => xs[i % xs.length] as T

const valueOf = (type: ColumnType) => fc.constantFrom(...domains[type])

const directionArb: fc.Arbitrary<A.Direction> = fc.constantFrom(
  'asc',
  'desc',
  'asc_nulls_first',
  'asc_nulls_last',
  'desc_nulls_first',
  'desc_nulls_last',
)

// The columns of a table, `id` first.
const columnsOf = (spec: ModelSpec, schema: string): ReadonlyArray<ColumnSpec> => [
  { name: 'id', type: 'integer', nullable: false, references: null },
  ...(spec.tables.find(t => t.schema === schema)?.columns ?? []),
]

// Prints only the spec: the model holds codecs and maps that would drown a counterexample.
const withToString = (g: Generated): Generated =>
  Object.assign(g, { [fc.toStringMethod]: () => `Generated(${fc.stringify(g.spec)})` })

// -------------------------------------------------------------------------------------
// constructors: models
// -------------------------------------------------------------------------------------

/**
 * The options of `model`: how many tables and associations a generated model may have.
 *
 * @category model
 * @since 0.1.0
 */
export interface ModelOptions {
  /** Tables besides join tables, 2 to 6 by default. */
  readonly minTables?: number
  readonly maxTables?: number
  /** Direct associations (each may get an inverse). Default 1 to 7. */
  readonly maxLinks?: number
  /** Through associations. Default 0 to 3. */
  readonly maxThroughs?: number
}

interface RawFilter {
  readonly column: number
  readonly form: FilterSpec['form']
  readonly values: ReadonlyArray<number>
}
const rawFilter = fc.record({
  column: fc.nat(8),
  form: fc.constantFrom<FilterSpec['form']>('null', 'notNull', 'eq', 'in'),
  values: fc.array(fc.nat(12), { minLength: 1, maxLength: 3 }),
})

// At most one filter per column: a where option is an object keyed by column.
const filtersOf = (
  columns: ReadonlyArray<ColumnSpec>,
  raws: ReadonlyArray<RawFilter>,
): ReadonlyArray<FilterSpec> => {
  const out: Array<FilterSpec> = []
  for (const raw of raws) {
    const f = filterOf(columns, raw)
    if (!out.some(x => x.column === f.column)) out.push(f)
  }
  return out
}

const filterOf = (columns: ReadonlyArray<ColumnSpec>, raw: RawFilter): FilterSpec => {
  const c = pick(columns, raw.column)
  const values = raw.values.map(v => pick(domains[c.type], v))
  // `model` rejects a null filter that never matches (a NOT NULL column, the association's own key).
  const form = raw.form === 'null' && (!c.nullable || c.references !== null) ? 'notNull' : raw.form
  return {
    column: c.name,
    form,
    values: form === 'eq' ? values.slice(0, 1) : form === 'in' ? values : [],
  }
}

const whereOf = (filters: ReadonlyArray<FilterSpec>): A.Where =>
  Object.fromEntries(
    filters.map(f => [
      f.column,
      f.form === 'null'
        ? null
        : f.form === 'notNull'
          ? A.notNull
          : f.form === 'eq'
            ? (f.values[0] as A.WhereValue)
            : A.isIn(f.values as ReadonlyArray<string | number | boolean | Date>),
    ]),
  )

/**
 * Builds the model a spec describes.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as Arb from 'quiver-sql/testing'
 * const m = Arb.build({
 *   tables: [
 *     { schema: 'user', source: 'users', columns: [{ name: 'name', type: 'text', nullable: false, references: null }] },
 *     { schema: 'post', source: 'posts', columns: [{ name: 'user_id', type: 'integer', nullable: true, references: 'user' }] },
 *   ],
 *   associations: [
 *     { kind: 'hasMany', owner: 'user', name: 'posts', target: 'post', foreignKey: 'user_id', where: [], preloadOrder: [] },
 *     { kind: 'belongsTo', owner: 'post', name: 'user', target: 'user', foreignKey: 'user_id', where: [] },
 *   ],
 * })
 * assert.ok(E.isRight(m))
 *
 * @category constructors
 * @since 0.1.0
 */
export const build = (spec: ModelSpec): E.Either<unknown, Model.AnyModel> => {
  const tables: Record<string, Table.Table> = {}
  for (const t of spec.tables)
    tables[t.schema] = Table.table(t.schema, t.source, {
      id: Column.serial,
      ...Object.fromEntries(
        t.columns.map(c => [c.name, c.nullable ? Column.nullable(sqlTypes[c.type]) : sqlTypes[c.type]]),
      ),
    })
  const defs: Record<string, Record<string, A.Association>> = {}
  for (const a of spec.associations)
    (defs[a.owner] ??= {})[a.name] = (associationOf[a.kind] as (a: AssocSpec) => A.Association)(a)
  return Model.model(tables, defs)
}

// The association each kind of spec declares.
const associationOf: {
  // `Extract` would miss the has spec, whose kind is 'hasMany' | 'hasOne'
  readonly [K in AssocSpec['kind']]: (a: AssocSpec & { readonly kind: K }) => A.Association
} = {
  hasMany: a => A.hasMany(a.target, hasOptions(a)),
  hasOne: a => A.hasOne(a.target, hasOptions(a)),
  belongsTo: a =>
    A.belongsTo(a.target, {
      foreignKey: a.foreignKey,
      ...(a.where.length > 0 ? { where: whereOf(a.where) } : {}),
    }),
  manyToMany: a =>
    A.manyToMany(a.target, {
      joinThrough: a.joinThrough,
      joinKeys: a.joinKeys,
      ...(a.joinWhere.length > 0 ? { joinWhere: whereOf(a.joinWhere) } : {}),
      ...(a.where.length > 0 ? { where: whereOf(a.where) } : {}),
      ...(a.preloadOrder.length > 0 ? { preloadOrder: a.preloadOrder } : {}),
      ...(a.onDelete !== undefined && a.onDelete !== 'nothing' ? { onDelete: a.onDelete } : {}),
    }),
  through: a => throughOf[a.cardinality](a.path as readonly [string, string, ...Array<string>]),
}

const hasOptions = (
  a: AssocSpec & { readonly kind: 'hasMany' | 'hasOne' },
): A.HasManyOptions & A.HasOneOptions => ({
  foreignKey: a.foreignKey,
  ...(a.where.length > 0 ? { where: whereOf(a.where) } : {}),
  ...(a.preloadOrder.length > 0 ? { preloadOrder: a.preloadOrder } : {}),
  ...(a.onDelete !== undefined && a.onDelete !== 'nothing' ? { onDelete: a.onDelete } : {}),
})

const throughOf: {
  readonly [K in 'one' | 'many']: (path: readonly [string, string, ...Array<string>]) => A.Association
} = {
  one: path => A.throughOne(path),
  many: path => A.through(path),
}

// A many-to-many has no foreign key on the target to nilify: the spec's `nilify_all` deletes nothing.
const manyToManyOnDelete: Readonly<Record<A.OnDelete, 'nothing' | 'delete_all'>> = {
  nothing: 'nothing',
  nilify_all: 'nothing',
  delete_all: 'delete_all',
}

/**
 * Random models: 2 to 6 tables with an integer serial `id`, text / boolean / integer / timestamptz /
 * bigint / numeric columns (some nullable; bigints beyond 2^53, numerics negative and fractional), nullable integer foreign keys, and associations of every kind: has-many,
 * has-one, belongs-to (with inverses), self-references, many-to-many through a join table (a schema of
 * its own, with a boolean column for `joinWhere`), through chains of 2 to 4 hops (possibly through
 * other throughs), `where` filters of every value form, preload orders and every `onDelete`.
 *
 * @example
 * import * as fc from 'fast-check'
 * import * as Arb from 'quiver-sql/testing'
 * fc.assert(fc.property(Arb.model(), g => g.spec.tables.length >= 2))
 *
 * @category constructors
 * @since 0.1.0
 */
export const model = (options: ModelOptions = {}): fc.Arbitrary<Generated> =>
  fc
    .record({
      tables: fc.integer({ min: options.minTables ?? 2, max: options.maxTables ?? 6 }),
      columns: fc.array(
        fc.record({
          table: fc.nat(5),
          type: fc.constantFrom<ColumnType>('integer', 'text', 'boolean', 'timestamptz', 'bigint', 'numeric'),
          nullable: fc.boolean(),
        }),
        { maxLength: 10 },
      ),
      links: fc.array(
        fc.record({
          kind: fc.constantFrom('hasMany', 'hasOne', 'belongsTo', 'manyToMany'),
          owner: fc.nat(5),
          target: fc.nat(5),
          inverse: fc.boolean(),
          where: fc.array(rawFilter, { maxLength: 2 }),
          joinWhere: fc.array(rawFilter, { maxLength: 1 }),
          order: fc.array(fc.tuple(directionArb, fc.nat(8)), { maxLength: 2 }),
          onDelete: fc.constantFrom<A.OnDelete>('nothing', 'delete_all', 'nilify_all'),
          inverseOnDelete: fc.constantFrom<A.OnDelete>('nothing', 'delete_all', 'nilify_all'),
        }),
        { minLength: 1, maxLength: options.maxLinks ?? 7 },
      ),
      throughs: fc.array(
        fc.record({
          owner: fc.nat(5),
          steps: fc.array(fc.nat(20), { minLength: 2, maxLength: 4 }),
          one: fc.boolean(),
        }),
        { maxLength: options.maxThroughs ?? 3 },
      ),
    })
    .map(raw => {
      const schemas = Array.from({ length: raw.tables }, (_, i) => `s${i}`)
      const columns = new Map<string, Array<ColumnSpec>>(schemas.map(s => [s, []]))
      raw.columns.forEach((c, i) => {
        columns
          .get(pick(schemas, c.table))
          ?.push({ name: `c${i}`, type: c.type, nullable: c.nullable, references: null })
      })
      const all = (s: string): ReadonlyArray<ColumnSpec> => [
        { name: 'id', type: 'integer', nullable: false, references: null },
        ...(columns.get(s) ?? []),
      ]
      const fk = (on: string, name: string, to: string) =>
        columns.get(on)?.push({ name, type: 'integer', nullable: true, references: to })
      const joinTables: Array<TableSpec> = []
      const assocs: Array<AssocSpec> = []
      // Filters and orders are drawn over the target's columns as they stand when the link is made.
      raw.links.forEach((l, i) => {
        const owner = pick(schemas, l.owner)
        const target = pick(schemas, l.target)
        const name = `a${i}`
        const order = (cols: ReadonlyArray<ColumnSpec>) =>
          l.order.map(([d, c]) => [d, pick(cols, c).name] as const)
        switch (l.kind) {
          case 'hasMany':
          case 'hasOne': {
            fk(target, `f${i}`, owner)
            const cols = all(target)
            assocs.push({
              kind: l.kind,
              owner,
              name,
              target,
              foreignKey: `f${i}`,
              where: filtersOf(cols, l.where),
              preloadOrder: order(cols),
              onDelete: l.onDelete,
            })
            if (l.inverse)
              assocs.push({
                kind: 'belongsTo',
                owner: target,
                name: `b${i}`,
                target: owner,
                foreignKey: `f${i}`,
                where: [],
              })
            return
          }
          case 'belongsTo': {
            fk(owner, `f${i}`, target)
            const cols = all(target)
            assocs.push({
              kind: 'belongsTo',
              owner,
              name,
              target,
              foreignKey: `f${i}`,
              where: filtersOf(cols, l.where),
            })
            if (l.inverse)
              assocs.push({
                kind: 'hasMany',
                owner: target,
                name: `b${i}`,
                target: owner,
                foreignKey: `f${i}`,
                where: [],
                preloadOrder: [],
                onDelete: l.inverseOnDelete,
              })
            return
          }
          case 'manyToMany': {
            const join: TableSpec = {
              schema: `j${i}`,
              source: `j${i}`,
              columns: [
                { name: 'jo', type: 'integer', nullable: true, references: owner },
                { name: 'jr', type: 'integer', nullable: true, references: target },
                { name: 'flag', type: 'boolean', nullable: true, references: null },
              ],
            }
            joinTables.push(join)
            const cols = all(target)
            const joinCols: ReadonlyArray<ColumnSpec> = [
              { name: 'id', type: 'integer', nullable: false, references: null },
              ...join.columns,
            ]
            assocs.push({
              kind: 'manyToMany',
              owner,
              name,
              target,
              joinThrough: join.schema,
              joinKeys: [
                ['jo', 'id'],
                ['jr', 'id'],
              ],
              joinWhere: filtersOf(joinCols, l.joinWhere),
              where: filtersOf(cols, l.where),
              preloadOrder: order(cols),
              onDelete: manyToManyOnDelete[l.onDelete],
            })
            if (l.inverse)
              assocs.push({
                kind: 'manyToMany',
                owner: target,
                name: `b${i}`,
                target: owner,
                joinThrough: join.schema,
                joinKeys: [
                  ['jr', 'id'],
                  ['jo', 'id'],
                ],
                joinWhere: [],
                where: [],
                preloadOrder: [],
                onDelete: manyToManyOnDelete[l.inverseOnDelete],
              })
            return
          }
        }
        return absurd<void>(l.kind)
      })
      const targetOf = (a: AssocSpec, from: string): string | null => {
        if (a.kind !== 'through') return a.target
        let at: string | null = from
        for (const n of a.path) {
          const next = assocs.find(x => x.owner === at && x.name === n)
          at = next === undefined ? null : targetOf(next, at as string)
          if (at === null) return null
        }
        return at
      }
      // Direct hops of an association once nested throughs are flattened.
      const hopsOf = (a: AssocSpec, from: string): number => {
        if (a.kind !== 'through') return 1
        let n = 0
        let at = from
        for (const name of a.path) {
          const x = assocs.find(y => y.owner === at && y.name === name)
          if (x === undefined) return n
          n += hopsOf(x, at)
          at = targetOf(x, at) ?? at
        }
        return n
      }
      raw.throughs.forEach((t, k) => {
        const owner = pick(schemas, t.owner)
        const path: Array<string> = []
        let at = owner
        let hops = 0
        for (const step of t.steps) {
          const options = assocs.filter(a => a.owner === at)
          if (options.length === 0) break
          const a = pick(options, step)
          const next = targetOf(a, at)
          // Chains stay 2 to 4 hops deep once flattened: a through of throughs of throughs grows the
          // loaded tree exponentially (each hop is shown on the rows), which tests nothing more.
          if (next === null || hops + hopsOf(a, at) > 4) break
          hops += hopsOf(a, at)
          path.push(a.name)
          at = next
        }
        if (path.length >= 2)
          assocs.push({ kind: 'through', owner, name: `t${k}`, path, cardinality: t.one ? 'one' : 'many' })
      })
      const spec: ModelSpec = {
        tables: [
          ...schemas.map(s => ({ schema: s, source: `${s}_rows`, columns: columns.get(s) ?? [] })),
          ...joinTables,
        ],
        associations: assocs,
      }
      const m = build(spec)
      // A generated spec is valid by construction; a Left is a bug in the generator or in `model`.
      if (E.isLeft(m)) throw new Error(`generated an invalid model: ${JSON.stringify(m.left)}`)
      return withToString({ spec, model: m.right })
    })

// -------------------------------------------------------------------------------------
// constructors: rows
// -------------------------------------------------------------------------------------

/**
 * The options of `rows`: how many rows each table may get.
 *
 * @category model
 * @since 0.1.0
 */
export interface RowsOptions {
  /** Rows per table, 0 to 6 by default. */
  readonly maxRows?: number
}

/**
 * The id a dangling foreign key holds: no row has it.
 *
 * @example
 * import * as fc from 'fast-check'
 * import * as Arb from 'quiver-sql/testing'
 * const withRows = Arb.model().chain(g => Arb.rows(g).map(data => ({ g, data })))
 * // A foreign key is null, dangling, or the id of a row of the table it references.
 * fc.assert(
 *   fc.property(withRows, ({ g, data }) =>
 *     g.spec.tables.every(t =>
 *       t.columns.every(c => {
 *         const target = g.spec.tables.find(x => x.schema === c.references)
 *         if (target === undefined) return true
 *         const ids = (data.get(target.source) ?? []).map(r => r['id'])
 *         return (data.get(t.source) ?? []).every(r => r[c.name] === null || r[c.name] === Arb.danglingId || ids.includes(r[c.name]))
 *       }),
 *     ),
 *   ),
 *   { numRuns: 20 },
 * )
 *
 * @category utils
 * @since 0.1.0
 */
export const danglingId = 999

/**
 * Rows for every table of a generated model, consistent with its keys: ids are `1..n`; a foreign key is
 * mostly the id of an existing row, sometimes `null`, sometimes dangling (`danglingId`); data columns
 * draw from small domains so that filters and joins match often; a nullable column is sometimes null.
 *
 * @example
 * import * as fc from 'fast-check'
 * import * as Arb from 'quiver-sql/testing'
 * const withRows = Arb.model().chain(g => Arb.rows(g).map(data => ({ g, data })))
 * fc.assert(fc.property(withRows, ({ g, data }) => data.size === g.spec.tables.length))
 *
 * @category constructors
 * @since 0.1.0
 */
export const rows = (g: Generated, options: RowsOptions = {}): fc.Arbitrary<Dataset> =>
  fc
    .tuple(
      ...g.spec.tables.map(t =>
        fc.array(
          fc.tuple(
            ...t.columns.map(c =>
              c.references !== null
                ? fc.oneof(
                    { weight: 1, arbitrary: fc.constant(null) },
                    { weight: 1, arbitrary: fc.constant(danglingId) },
                    { weight: 6, arbitrary: fc.nat(20).map(n => -1 - n) },
                  )
                : c.nullable
                  ? fc.option(valueOf(c.type), { freq: 4 })
                  : valueOf(c.type),
            ),
          ),
          { maxLength: options.maxRows ?? 6 },
        ),
      ),
    )
    .map(perTable => {
      const counts = new Map(g.spec.tables.map((t, i) => [t.schema, perTable[i]?.length ?? 0]))
      return new Map(
        g.spec.tables.map((t, i) => [
          t.source,
          (perTable[i] ?? []).map((values, r) => {
            const row: Record<string, unknown> = { id: r + 1 }
            t.columns.forEach((c, j) => {
              const v = values[j]
              // A negative draw is "some existing row" of the referenced table (dangling if it has none).
              row[c.name] =
                c.references !== null && typeof v === 'number' && v < 0
                  ? (counts.get(c.references) ?? 0) === 0
                    ? danglingId
                    : ((-1 - v) % (counts.get(c.references) ?? 1)) + 1
                  : (v ?? null)
            })
            return Object.freeze(row)
          }),
        ]),
      )
    })

// -------------------------------------------------------------------------------------
// constructors: queries
// -------------------------------------------------------------------------------------

const likePattern = fc.array(fc.constantFrom(...likeTokens), { maxLength: 4 }).map(ts => ts.join(''))

// Whether a predicate reads the row (a leaf over a column or an association), not only constants.
const readsRow = (p: PredSpec): boolean =>
  p._tag === 'And' || p._tag === 'Or' ? p.preds.some(readsRow) : p._tag === 'Not' ? readsRow(p.pred) : true

/**
 * Random predicates over a schema's rows: comparisons, lists, null tests, LIKE / ILIKE on text, `not`,
 * `and`, `or`, and `exists` / `notExists` / `every` over its associations (nested up to `depth`).
 *
 * @example
 * import * as fc from 'fast-check'
 * import * as Arb from 'quiver-sql/testing'
 * const [g] = fc.sample(Arb.model(), { numRuns: 1, seed: 7 })
 * const schema = g!.spec.tables[0]!.schema
 * for (const p of fc.sample(Arb.pred(g!, schema, 1), { numRuns: 10, seed: 7 }))
 *   assert.ok(['Compare', 'In', 'IsNull', 'NotNull', 'Like', 'Not', 'And', 'Or', 'Exists', 'NotExists', 'Every'].includes(p._tag))
 *
 * @category constructors
 * @since 0.1.0
 */
export const pred = (g: Generated, schema: string, depth = 2): fc.Arbitrary<PredSpec> =>
  memo(g, `pred ${schema} ${depth}`, () => makePred(g, schema, depth))

// Arbitraries built already for a generated model, by a key naming the builder and its arguments: the
// query generators ask for the same ones many times per drawn query, and an arbitrary is a pure value.
const built = new WeakMap<Generated, Map<string, unknown>>()
const memo = <A>(g: Generated, key: string, make: () => A): A => {
  let m = built.get(g)
  if (m === undefined) {
    m = new Map()
    built.set(g, m)
  }
  if (m.has(key)) return m.get(key) as A
  const a = make()
  m.set(key, a)
  return a
}

const makePred = (g: Generated, schema: string, depth: number): fc.Arbitrary<PredSpec> => {
  const cols = columnsOf(g.spec, schema)
  const leaves: Array<fc.Arbitrary<PredSpec>> = [
    fc.oneof(
      ...cols.map(c =>
        fc.record({
          _tag: fc.constant('Compare' as const),
          op: fc.constantFrom<Expr.CompareOp>('eq', 'neq', 'lt', 'lte', 'gt', 'gte'),
          column: fc.constant(c.name),
          value: valueOf(c.type),
        }),
      ),
    ),
    fc.oneof(
      ...cols.map(c =>
        fc.record({
          _tag: fc.constant('In' as const),
          column: fc.constant(c.name),
          values: fc.uniqueArray(valueOf(c.type), { maxLength: 3 }),
        }),
      ),
    ),
    fc.record({
      _tag: fc.constantFrom('IsNull' as const, 'NotNull' as const),
      column: fc.constantFrom(...cols.map(c => c.name)),
    }),
  ]
  const textCols = cols.filter(c => c.type === 'text')
  if (textCols.length > 0)
    leaves.push(
      fc.record({
        _tag: fc.constant('Like' as const),
        column: fc.constantFrom(...textCols.map(c => c.name)),
        pattern: likePattern,
        caseInsensitive: fc.boolean(),
      }),
    )
  const leaf = fc.oneof(...leaves)
  if (depth <= 0) return leaf
  const sub = pred(g, schema, depth - 1)
  const assocs = [...(g.model.associations.get(schema)?.values() ?? [])]
  const nodes: Array<fc.Arbitrary<PredSpec>> = [
    sub.map(p => ({ _tag: 'Not' as const, pred: p })),
    fc.record({
      _tag: fc.constantFrom('And' as const, 'Or' as const),
      preds: fc.array(sub, { maxLength: 3 }),
    }),
  ]
  if (assocs.length > 0)
    nodes.push(
      fc.oneof(
        ...assocs.map(a =>
          fc.record({
            _tag: fc.constantFrom('Exists' as const, 'NotExists' as const, 'Every' as const),
            association: fc.constant(a.name),
            pred: fc.option(pred(g, a.target, depth - 1), { freq: 3 }),
          }),
        ),
      ),
    )
  return fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, ...nodes)
}

/**
 * The options of `query`.
 *
 * @category model
 * @since 0.1.0
 */
export interface QueryOptions {
  /** When a limit or offset is drawn, end the order with `id` so the result is determined. Default true. */
  readonly totalOrder?: boolean
}

/**
 * Random queries over a model and its rows: `from` any schema or `assoc` from some of its rows by an
 * association name or a path of 2 or 3 names; `where` conjuncts from `pred`; an order over the root's
 * columns in every direction; `distinct`; offset and limit.
 *
 * @example
 * import * as fc from 'fast-check'
 * import * as Arb from 'quiver-sql/testing'
 * const cases = Arb.model().chain(g => Arb.rows(g).chain(data => Arb.query(g, data).map(q => ({ g, data, q }))))
 * fc.assert(fc.property(cases, ({ g, data, q }) => Arb.toQuery(g, data, q).errors.length === 0))
 *
 * @category constructors
 * @since 0.1.0
 */
export const query = (g: Generated, data: Dataset, options: QueryOptions = {}): fc.Arbitrary<QuerySpec> => {
  const schemas = g.spec.tables.map(t => t.schema)
  const paths: Array<{ readonly schema: string; readonly path: ReadonlyArray<string> }> = []
  for (const s of schemas)
    for (const a of g.model.associations.get(s)?.values() ?? []) {
      paths.push({ schema: s, path: [a.name] })
      for (const b of g.model.associations.get(a.target)?.values() ?? []) {
        paths.push({ schema: s, path: [a.name, b.name] })
        for (const c of g.model.associations.get(b.target)?.values() ?? [])
          if (paths.length < 400) paths.push({ schema: s, path: [a.name, b.name, c.name] })
      }
    }
  const target = (schema: string, path: ReadonlyArray<string>): string =>
    path.reduce((at, n) => Model.association(g.model, at, n)?.target ?? at, schema)
  const idsOf = (schema: string): ReadonlyArray<number> => {
    const source = g.spec.tables.find(t => t.schema === schema)?.source ?? ''
    return (data.get(source) ?? []).map(r => r['id'] as number)
  }
  const roots: Array<fc.Arbitrary<QuerySpec['root']>> = [
    fc.constantFrom(...schemas).map(schema => ({ _tag: 'From' as const, schema })),
  ]
  if (paths.length > 0)
    roots.push(
      fc
        .constantFrom(...paths)
        .chain(p =>
          fc.subarray([...idsOf(p.schema)]).map(owners => ({ _tag: 'Assoc' as const, ...p, owners })),
        ),
    )
  return fc.oneof(...roots).chain(root => {
    const schema =
      root._tag === 'From'
        ? root.schema
        : root._tag === 'Assoc'
          ? target(root.schema, root.path)
          : absurd<string>(root)
    const cols = columnsOf(g.spec, schema).map(c => c.name)
    return fc
      .record({
        where: fc.array(pred(g, schema), { maxLength: 2 }),
        orderBy: fc.array(fc.tuple(directionArb, fc.constantFrom(...cols)), { maxLength: 3 }),
        distinct: fc.boolean(),
        offset: fc.option(fc.nat(4), { freq: 3 }),
        limit: fc.option(fc.nat(5), { freq: 3 }),
      })
      .map((r): QuerySpec => ({
        root,
        ...r,
        orderBy:
          (options.totalOrder ?? true) && (r.limit !== null || r.offset !== null)
            ? [...r.orderBy, ['asc', 'id'] as const]
            : r.orderBy,
      }))
  })
}

// -------------------------------------------------------------------------------------
// constructors: algebra queries
// -------------------------------------------------------------------------------------

/**
 * A term of a projection, a group, an order, a condition or a having, over the root (`binding: null`)
 * and the joined bindings (by their names: an association path joined with `.`). Each column carries
 * its generated type, so a counterexample says what the term is. `Cond` is a predicate over the root
 * used as a boolean term; `Rel` a relation aggregate (`$.count`, `$.sum`, `$.avg`, `$.min`, `$.max`,
 * with a filter over the associated records); `ScalarCount` the count of a subquery's rows and
 * `ScalarPick` a column of the row of `schema` whose `id` is the root's `key` (at most one row). The
 * aggregates take an optional `filter` over the root.
 *
 * @category model
 * @since 0.1.0
 */
export type TermSpec =
  | {
      readonly _tag: 'Column'
      readonly binding: string | null
      readonly column: string
      readonly type: ColumnType
    }
  | { readonly _tag: 'Lower' | 'Upper' | 'Trim' | 'Length' | 'Abs' | 'Round'; readonly term: TermSpec }
  | {
      readonly _tag: 'Arith'
      readonly op: Expr.ArithOp
      readonly term: TermSpec
      readonly right: TermSpec | number
    }
  | { readonly _tag: 'Concat'; readonly term: TermSpec; readonly right: TermSpec | string }
  | { readonly _tag: 'Coalesce' | 'Nullif'; readonly term: TermSpec; readonly value: unknown }
  | {
      readonly _tag: 'Case'
      readonly when: PredSpec
      readonly then: TermSpec
      /** A value of the term's type, or NULL (no `else`). */
      readonly otherwise: unknown
    }
  | { readonly _tag: 'Cast'; readonly term: TermSpec; readonly to: Expr.CastType }
  | { readonly _tag: 'DateTrunc'; readonly unit: Expr.TruncUnit; readonly term: TermSpec }
  | { readonly _tag: 'Cond'; readonly pred: PredSpec }
  | {
      readonly _tag: 'Rel'
      readonly fn: 'count' | 'sum' | 'avg' | 'min' | 'max'
      readonly association: string
      /** The target's column `sum` / `avg` / `min` / `max` take; null for `count`. */
      readonly column: string | null
      readonly filter: PredSpec | null
    }
  | { readonly _tag: 'ScalarCount'; readonly subquery: SubquerySpec }
  | {
      readonly _tag: 'ScalarPick'
      readonly schema: string
      readonly column: string
      readonly key: string
    }
  | { readonly _tag: 'Count'; readonly filter?: PredSpec }
  | {
      readonly _tag: 'CountOf' | 'CountDistinct' | 'Sum' | 'Avg' | 'Min' | 'Max' | 'BoolAnd' | 'BoolOr'
      readonly term: TermSpec
      readonly filter?: PredSpec
    }
  | {
      readonly _tag: 'ArrayAgg' | 'StringAgg'
      readonly term: TermSpec
      /** `stringAgg`'s separator; ignored by `arrayAgg`. */
      readonly separator: string
      readonly orderBy: ReadonlyArray<readonly [A.Direction, TermSpec]>
      readonly filter?: PredSpec
    }
  | { readonly _tag: 'SumOfCount' }

/**
 * A query of another (or the same) schema embedded in a condition or a projection: filtered,
 * correlated with the queries around it (`level` 0 the query that holds it, 1 the one around that;
 * both columns integers) or not, with subqueries of its own (nested, correlated to every level above);
 * projected on one integer `column` when it stands in `Pred.in`.
 *
 * @category model
 * @since 0.1.0
 */
export interface SubquerySpec {
  readonly schema: string
  readonly column: string
  readonly correlate: ReadonlyArray<{
    readonly column: string
    readonly level: number
    readonly outer: string
  }>
  readonly where: ReadonlyArray<PredSpec>
  readonly subqueries: ReadonlyArray<SubPredSpec>
}

/**
 * A condition with a subquery: `Pred.exists`, `Pred.notExists`, or `Pred.in` of an integer column of
 * the query that holds it.
 *
 * @category model
 * @since 0.1.0
 */
export type SubPredSpec =
  | { readonly _tag: 'Exists' | 'NotExists'; readonly subquery: SubquerySpec }
  | { readonly _tag: 'In'; readonly column: string; readonly subquery: SubquerySpec }

/**
 * A join of an association path from the root (`Query.join(path, kind, { on })`); its binding, and
 * each prefix's, is named by the path joined with `.`.
 *
 * @category model
 * @since 0.1.0
 */
export interface JoinSpec {
  readonly path: ReadonlyArray<string>
  readonly kind: Expr.JoinKind
  /** A condition on the joined rows (over the path's target), added to the ON. */
  readonly on: PredSpec | null
}

/**
 * The mistakes a query may be built to hold: a column neither grouped nor aggregated, an aggregate in a
 * `where` / in a `groupBy` / inside an aggregate, a relation aggregate of a grouped query whose key is
 * not grouped, a join of an unknown association or of a path joined already, a function of a term of
 * the wrong type, a fraction beside an integer term, a cast PostgreSQL has not (a bigint to boolean),
 * an aggregate of rows (`Fn.count()`) in a join-preload's projection.
 *
 * @category model
 * @since 0.1.0
 */
export type Refusal =
  | 'ungrouped'
  | 'aggregateInWhere'
  | 'aggregateInGroupBy'
  | 'nestedAggregate'
  | 'ungroupedRelation'
  | 'unknownJoin'
  | 'joinedTwice'
  | 'wrongType'
  | 'fractionBesideInteger'
  | 'impossibleCast'
  | 'aggregateInJoinPreload'

/**
 * A query of the algebra: a root schema, joins of association paths of any kind, `where` conjuncts
 * (row predicates, comparisons of terms, subqueries), an optional grouping (`groupBy` terms, possibly
 * none: one group of all rows) with `having` comparisons of aggregates, a projection (outputs named
 * `o0`, `o1` ...), `distinctOn` terms, an order by output index or by term, offset and limit.
 * `refused` names the mistake of a query built to be refused (a typed error before any SQL, on every
 * interpreter alike), else null.
 *
 * @category model
 * @since 0.1.0
 */
export interface AlgebraSpec {
  readonly schema: string
  readonly joins: ReadonlyArray<JoinSpec>
  readonly where: ReadonlyArray<PredSpec>
  readonly compare: ReadonlyArray<{
    readonly op: Expr.CompareOp
    readonly term: TermSpec
    readonly value: unknown
  }>
  readonly subqueries: ReadonlyArray<SubPredSpec>
  readonly grouped: boolean
  readonly groupBy: ReadonlyArray<TermSpec>
  readonly having: ReadonlyArray<{
    readonly op: Expr.CompareOp
    readonly term: TermSpec
    readonly value: number
  }>
  readonly outputs: ReadonlyArray<TermSpec>
  readonly distinctOn: ReadonlyArray<TermSpec>
  readonly orderBy: ReadonlyArray<readonly [A.Direction, number | TermSpec]>
  readonly offset: number | null
  readonly limit: number | null
  readonly refused: Refusal | null
  /**
   * The query above made the source of an outer one (`Query.fromQuery`), or null (absent: null).
   */
  readonly outer?: OuterSpec | null
  /**
   * The joined bindings filled by join-preloads (`Preload.joined`), in place of the projection: whole
   * rows or projections (`joinProjection`), ordered by the ids of the root and of every joined binding
   * (so that the rows and each parent's children have one order). Only one-hop inner or left joins of
   * an association that is not a through, in a query with no right or full join, no grouping and no
   * distinctOn (the generator makes such joins left ones, or adds a left join); absent or empty for
   * none.
   */
  readonly joinPreload?: ReadonlyArray<string>
  /**
   * Projections of join-preloaded bindings (`Preload.joined(name, {}, projection)`), by binding name:
   * terms over the association's target (binding null: its columns, and expressions over them that
   * never fail on a row, relation aggregates and scalar subqueries included), as outputs `j0`, `j1`
   * ...; a binding not named here is preloaded as whole rows. Absent: none.
   */
  readonly joinProjection?: Readonly<Record<string, ReadonlyArray<TermSpec>>>
  /**
   * The outputs merged onto the whole row (`Query.selectMerge`) instead of replacing it; with
   * join-preloads, the outputs selected (`Query.select`) as the parents' projection. Only with no
   * grouping, no distinctOn and no refusal; absent: false.
   */
  readonly merged?: boolean
}

/**
 * An outer query over a projection (`Query.fromQuery`), reading its outputs `o<i>` by index: `where`
 * tests outputs for NULL, then either the rows of `outputs` (named as they were), or groups of output
 * `groupBy` with their size and the count of output `counted` (`k`, `n`, `c`); `limit` orders the rows
 * by every output first. The projection's outputs may fail on a row (a division by zero): PostgreSQL
 * computes only those the outer query reads, after the outer filter it pushes down, and so does the
 * memory interpreter. A filter over such an output is generated only when the projection has no
 * filter, having, join or subquery of its own: beside those, which rows the pushed-down filter meets
 * depends on PostgreSQL's plan.
 *
 * @category model
 * @since 0.2.0
 */
export interface OuterSpec {
  readonly where: ReadonlyArray<{ readonly output: number; readonly isNull: boolean }>
  readonly groupBy: number | null
  readonly counted: number
  readonly outputs: ReadonlyArray<number>
  readonly limit: number | null
}

/**
 * Options of `algebraQuery`.
 *
 * @category model
 * @since 0.1.0
 */
export interface AlgebraOptions {
  /** How often (1 in n) a query is built to be refused; 20 by default, 0 for never. */
  readonly refusedOneIn?: number
  /**
   * How often (1 in n) a query that can fill its joins with join-preloads (see
   * `AlgebraSpec.joinPreload`) does; 2 by default, 1 for always.
   */
  readonly joinPreloadOneIn?: number
}

interface InScope {
  readonly binding: string | null
  readonly column: ColumnSpec
}

const columnTerm = (s: InScope): TermSpec => ({
  _tag: 'Column',
  binding: s.binding,
  column: s.column.name,
  type: s.column.type,
})

const intNames = (g: Generated, schema: string): ReadonlyArray<string> =>
  columnsOf(g.spec, schema)
    .filter(c => c.type === 'integer')
    .map(c => c.name)

// A subquery over any schema: filtered, correlated with the queries around it (`outers[0]` the one that
// holds it) on integer columns or not, with a nested subquery while `depth` lasts.
const subquery = (g: Generated, outers: ReadonlyArray<string>, depth: number): fc.Arbitrary<SubquerySpec> =>
  memo(g, `subquery ${outers.join(',')} ${depth}`, () => makeSubquery(g, outers, depth))

const makeSubquery = (
  g: Generated,
  outers: ReadonlyArray<string>,
  depth: number,
): fc.Arbitrary<SubquerySpec> =>
  fc.constantFrom(...g.spec.tables.map(t => t.schema)).chain(inner => {
    const ints = intNames(g, inner)
    const link = fc.integer({ min: 0, max: outers.length - 1 }).chain(level =>
      fc.record({
        column: fc.constantFrom(...ints),
        level: fc.constant(level),
        outer: fc.constantFrom(...intNames(g, outers[level] as string)),
      }),
    )
    return fc.record({
      schema: fc.constant(inner),
      column: fc.constantFrom(...ints),
      correlate: fc.oneof(
        { weight: 1, arbitrary: fc.constant([]) },
        { weight: 3, arbitrary: fc.array(link, { minLength: 1, maxLength: 2 }) },
      ),
      where: fc.array(pred(g, inner, 1), { maxLength: 1 }),
      subqueries:
        depth > 0
          ? fc.oneof(
              { weight: 2, arbitrary: fc.constant([]) },
              { weight: 1, arbitrary: fc.array(subPred(g, [inner, ...outers], depth - 1), { maxLength: 1 }) },
            )
          : fc.constant([]),
    })
  })

const subPred = (g: Generated, outers: ReadonlyArray<string>, depth: number): fc.Arbitrary<SubPredSpec> =>
  fc.oneof(
    fc.record({
      _tag: fc.constantFrom('Exists' as const, 'NotExists' as const),
      subquery: subquery(g, outers, depth),
    }),
    fc.record({
      _tag: fc.constant('In' as const),
      column: fc.constantFrom(...intNames(g, outers[0] as string)),
      subquery: subquery(g, outers, depth),
    }),
  )

// The kinds of terms the generator composes: a column type, or what a function gives (`double`: a
// double precision; `decimal`: a bigint or numeric, text in JavaScript; `date`).
type Kind = 'integer' | 'text' | 'boolean' | 'timestamptz' | 'double' | 'decimal' | 'date'

// The kind of a column's terms: `bigint` and `numeric` columns are `decimal`.
const kindOfColumn = (t: ColumnType): Kind => (t === 'bigint' || t === 'numeric' ? 'decimal' : t)

const orderable: ReadonlyArray<Kind> = ['integer', 'double', 'decimal', 'text', 'timestamptz', 'date']

// Values beside a term of each kind.
const kindValues: Readonly<Record<Kind, ReadonlyArray<unknown>>> = {
  ...domains,
  double: [0.5, -1.5, 2, 0],
  // whole: a `decimal` term may be a bigint, beside which PostgreSQL reads '0.5' as no bigint (refused)
  decimal: ['0', '1', '-2', '9007199254740993'],
  date: [new Date('2020-01-01T00:00:00.000Z'), new Date('2024-02-29T00:00:00.000Z')],
}

const truncUnits: ReadonlyArray<Expr.TruncUnit> = [
  'year',
  'quarter',
  'month',
  'week',
  'day',
  'hour',
  'minute',
  'second',
]

interface TermCtx {
  readonly g: Generated
  readonly schema: string
  readonly scope: ReadonlyArray<InScope>
  readonly assocs: ReadonlyArray<Model.Resolved>
  /** Terms built already, by kind, depth and options: the same arbitrary serves every place. */
  readonly cache: Map<string, fc.Arbitrary<TermSpec> | null>
}

// Terms of one kind over the scope, nested up to `depth`. A `safe` term never fails on a row (no
// division, no cast of text to a number): it may stand in a WHERE, whose conjuncts PostgreSQL reorders
// by cost, so a failing one would fail on one side only. `aggregates` allows relation aggregates and
// scalar subqueries (not in a group term, whose expression must match the projection's).
const cached = (c: TermCtx, key: string, make: () => fc.Arbitrary<TermSpec>): fc.Arbitrary<TermSpec> => {
  const hit = c.cache.get(key)
  if (hit !== undefined && hit !== null) return hit
  const a = make()
  c.cache.set(key, a)
  return a
}

const termOf = (
  c: TermCtx,
  kind: Kind,
  depth: number,
  options: { readonly safe: boolean; readonly subqueries: boolean },
): fc.Arbitrary<TermSpec> | null => {
  const key = `${kind} ${depth} ${options.safe} ${options.subqueries}`
  const hit = c.cache.get(key)
  if (hit !== undefined) return hit
  const made = makeTermOf(c, kind, depth, options)
  c.cache.set(key, made)
  return made
}

const makeTermOf = (
  c: TermCtx,
  kind: Kind,
  depth: number,
  options: { readonly safe: boolean; readonly subqueries: boolean },
): fc.Arbitrary<TermSpec> | null => {
  const cols = c.scope.filter(s => kindOfColumn(s.column.type) === kind)
  const sub = (k: Kind) => (depth > 0 ? termOf(c, k, depth - 1, options) : null)
  const alts: Array<fc.WeightedArbitrary<TermSpec>> = []
  const add = (weight: number, a: fc.Arbitrary<TermSpec> | null) => {
    if (a !== null) alts.push({ weight, arbitrary: a })
  }
  const value = fc.constantFrom(...kindValues[kind])
  if (cols.length > 0) add(6, fc.constantFrom(...cols).map(columnTerm))
  const self = sub(kind)
  if (self !== null && kind !== 'boolean') {
    add(
      1,
      fc.tuple(self, value).map(([term, value]) => ({ _tag: 'Coalesce' as const, term, value })),
    )
    add(
      1,
      fc.tuple(self, value).map(([term, value]) => ({ _tag: 'Nullif' as const, term, value })),
    )
    add(
      1,
      fc
        .tuple(pred(c.g, c.schema, 0), self, fc.option(value, { freq: 2 }))
        .map(([when, then, otherwise]) => ({ _tag: 'Case' as const, when, then, otherwise })),
    )
  }
  const ints = sub('integer')
  const texts_ = sub('text')
  const ops: ReadonlyArray<Expr.ArithOp> = options.safe
    ? ['add', 'sub', 'mul']
    : ['add', 'sub', 'mul', 'div', 'mod', 'div', 'mod']
  switch (kind) {
    case 'integer': {
      if (ints !== null) {
        add(
          3,
          fc
            .tuple(
              fc.constantFrom(...ops),
              ints,
              fc.oneof(fc.integer({ min: -2, max: 3 }), ints, fc.constant(0)),
            )
            .map(([op, term, right]) => ({ _tag: 'Arith' as const, op, term, right })),
        )
        add(
          1,
          ints.map(term => ({ _tag: 'Abs' as const, term })),
        )
      }
      if (texts_ !== null)
        add(
          1,
          texts_.map(term => ({ _tag: 'Length' as const, term })),
        )
      const bools = sub('boolean')
      if (bools !== null)
        add(
          1,
          bools.map(term => ({ _tag: 'Cast' as const, term, to: 'integer' as const })),
        )
      if (texts_ !== null && !options.safe)
        add(
          1,
          texts_.map(term => ({ _tag: 'Cast' as const, term, to: 'integer' as const })),
        )
      if (options.subqueries) {
        add(
          1,
          subquery(c.g, [c.schema], 1).map(s => ({ _tag: 'ScalarCount' as const, subquery: s })),
        )
        if (c.assocs.length > 0) add(2, relation(c, 'integer'))
      }
      break
    }
    case 'double':
      if (ints !== null) {
        add(
          1,
          ints.map(term => ({ _tag: 'Round' as const, term })),
        )
        add(
          1,
          ints.map(term => ({ _tag: 'Cast' as const, term, to: 'double' as const })),
        )
        const dbl = sub('double')
        if (dbl !== null)
          add(
            1,
            fc
              .tuple(
                fc.constantFrom<Expr.ArithOp>(...ops.filter(o => o !== 'mod')),
                dbl,
                fc.oneof(fc.constantFrom(0.5, 2, 0), ints),
              )
              .map(([op, term, right]) => ({ _tag: 'Arith' as const, op, term, right })),
          )
      }
      break
    case 'decimal':
      if (ints !== null) {
        add(
          2,
          fc
            .tuple(ints, fc.constantFrom<Expr.CastType>('bigint', 'numeric'))
            .map(([term, to]) => ({ _tag: 'Cast' as const, term, to })),
        )
        const dec = sub('decimal')
        if (dec !== null)
          add(
            2,
            fc
              .tuple(
                fc.constantFrom(...ops),
                dec,
                // bigint * bigint may leave int8 (22003): not in a safe term
                options.safe
                  ? fc.oneof(fc.integer({ min: -2, max: 3 }), ints)
                  : fc.oneof(fc.integer({ min: -2, max: 3 }), ints, dec),
              )
              .map(([op, term, right]) => ({ _tag: 'Arith' as const, op, term, right })),
          )
        // integer op numeric is numeric, integer op bigint bigint (PostgreSQL's types, exact text)
        if (dec !== null)
          add(
            1,
            fc
              .tuple(fc.constantFrom(...ops), ints, dec)
              .map(([op, term, right]) => ({ _tag: 'Arith' as const, op, term, right })),
          )
      }
      break
    case 'text':
      if (texts_ !== null) {
        add(
          2,
          fc
            .tuple(fc.constantFrom('Lower' as const, 'Upper' as const, 'Trim' as const), texts_)
            .map(([_tag, term]) => ({ _tag, term })),
        )
        add(
          1,
          fc
            .tuple(texts_, fc.oneof(texts_, fc.constantFrom(...texts)))
            .map(([term, right]) => ({ _tag: 'Concat' as const, term, right })),
        )
      }
      if (ints !== null)
        add(
          1,
          ints.map(term => ({ _tag: 'Cast' as const, term, to: 'text' as const })),
        )
      break
    case 'boolean':
      // A condition that reads no row (`Pred.and()`) is a constant, which PostgreSQL's planner computes
      // before any row is read (a division by zero under it fails even with no row; the memory
      // interpreter evaluates per row): conditions here read the row.
      add(
        1,
        pred(c.g, c.schema, 1)
          .filter(readsRow)
          .map(p => ({ _tag: 'Cond' as const, pred: p })),
      )
      // PostgreSQL casts an `integer` to a boolean, not a `bigint` (which `Fn.cast` refuses: see the
      // `impossibleCast` refusal): integer columns only.
      if (depth > 0 && cols.length + c.scope.filter(s => s.column.type === 'integer').length > 0)
        add(
          1,
          fc
            .constantFrom(...c.scope.filter(s => s.column.type === 'integer'))
            .map(s => ({ _tag: 'Cast' as const, term: columnTerm(s), to: 'boolean' as const })),
        )
      break
    case 'timestamptz': {
      const ts = sub('timestamptz')
      if (ts !== null)
        add(
          2,
          fc
            .tuple(fc.constantFrom(...truncUnits), ts)
            .map(([unit, term]) => ({ _tag: 'DateTrunc' as const, unit, term })),
        )
      break
    }
    case 'date': {
      const ts = sub('timestamptz')
      if (ts !== null)
        add(
          1,
          ts.map(term => ({ _tag: 'Cast' as const, term, to: 'date' as const })),
        )
      break
    }
    default:
      return absurd(kind)
  }
  return alts.length === 0 ? null : fc.oneof({ depthSize: 'small' }, ...alts)
}

// A relation aggregate of the root, of an integer kind (count, sum) or of any (min, max, avg).
const relation = (c: TermCtx, kind: Kind | null): fc.Arbitrary<TermSpec> =>
  fc.constantFrom(...c.assocs).chain(a => {
    const cols = columnsOf(c.g.spec, a.target)
    const ints = cols.filter(x => x.type === 'integer').map(x => x.name)
    const decimals = cols.filter(x => x.type === 'bigint' || x.type === 'numeric').map(x => x.name)
    const extremes = cols.filter(x => x.type !== 'boolean').map(x => x.name)
    const filter = fc.option(pred(c.g, a.target, 1), { freq: 3 })
    const of = (fn: 'count' | 'sum' | 'avg' | 'min' | 'max', names: ReadonlyArray<string | null>) =>
      fc.record({
        _tag: fc.constant('Rel' as const),
        fn: fc.constant(fn),
        association: fc.constant(a.name),
        column: fc.constantFrom(...names),
        filter,
      })
    return kind === 'integer'
      ? fc.oneof(of('count', [null]), of('sum', ints))
      : fc.oneof(
          of('count', [null]),
          of('sum', ints),
          of('avg', ints),
          of('min', extremes),
          of('max', extremes),
          ...(decimals.length > 0 ? [of('sum', decimals), of('avg', decimals)] : []),
        )
  })

// Group and distinct-on terms hold no value: a grouped expression with a parameter never matches the
// same expression in the projection, nor a distinct on term the order it must lead (each value is a
// parameter of its own); the library refuses the second.
const groupTermOf = (c: TermCtx): fc.Arbitrary<TermSpec> => {
  const alts: Array<fc.Arbitrary<TermSpec>> = [fc.constantFrom(...c.scope).map(columnTerm)]
  const texts_ = c.scope.filter(s => s.column.type === 'text')
  if (texts_.length > 0)
    alts.push(
      fc
        .tuple(
          fc.constantFrom('Lower' as const, 'Upper' as const, 'Length' as const, 'Trim' as const),
          fc.constantFrom(...texts_),
        )
        .map(([_tag, s]) => ({ _tag, term: columnTerm(s) })),
    )
  const stamps = c.scope.filter(s => s.column.type === 'timestamptz')
  if (stamps.length > 0)
    alts.push(
      fc
        .tuple(fc.constantFrom(...truncUnits), fc.constantFrom(...stamps))
        .map(([unit, s]) => ({ _tag: 'DateTrunc' as const, unit, term: columnTerm(s) })),
    )
  return fc.oneof(...alts)
}

// The kind of a group term (see `groupTermOf`).
const kindOfGroupTerm = (t: TermSpec): Kind =>
  t._tag === 'Column'
    ? kindOfColumn(t.type)
    : t._tag === 'Length'
      ? 'integer'
      : t._tag === 'DateTrunc'
        ? 'timestamptz'
        : 'text'

// An aggregate over the scope's terms (any depth, failing ones included: an aggregate's argument is
// evaluated for every row of its group on both sides), with a filter over the root now and then.
const aggregateOf = (c: TermCtx): fc.Arbitrary<TermSpec> => {
  const o = { safe: false, subqueries: true }
  const filter = fc.option(pred(c.g, c.schema, 1), { freq: 3, nil: undefined })
  const withFilter = <T extends TermSpec>(a: fc.Arbitrary<T>): fc.Arbitrary<TermSpec> =>
    fc.tuple(a, filter).map(([t, f]) => (f === undefined ? t : { ...t, filter: f }))
  const kinds = (ks: ReadonlyArray<Kind>) =>
    ks.flatMap(k => {
      const t = termOf(c, k, 1, o)
      return t === null ? [] : [t]
    })
  const numbers = kinds(['integer', 'integer', 'double', 'decimal'])
  const ordered = kinds(orderable)
  const any = kinds(['integer', 'text', 'boolean', 'timestamptz', 'double', 'decimal'])
  const bools = kinds(['boolean'])
  const arrayable = (['integer', 'text', 'boolean', 'timestamptz'] as const).flatMap(k => {
    const t = termOf(c, k, 1, o)
    return t === null ? [] : [t]
  })
  const textual = kinds(['text'])
  const orderOf = (t: TermSpec) =>
    fc
      .option(fc.tuple(directionArb, fc.oneof(...ordered)), { freq: 2 })
      .chain(first => directionArb.map(d => [...(first === null ? [] : [first]), [d, t] as const] as const))
  const alts: Array<fc.Arbitrary<TermSpec>> = [
    withFilter(fc.constant({ _tag: 'Count' as const })),
    withFilter(
      fc
        .tuple(fc.constantFrom('CountOf' as const, 'CountDistinct' as const), fc.oneof(...any))
        .map(([_tag, term]) => ({ _tag, term })),
    ),
    withFilter(
      fc
        .tuple(fc.constantFrom('Sum' as const, 'Avg' as const), fc.oneof(...numbers))
        .map(([_tag, term]) => ({ _tag, term })),
    ),
    withFilter(
      fc
        .tuple(fc.constantFrom('Min' as const, 'Max' as const), fc.oneof(...ordered))
        .map(([_tag, term]) => ({ _tag, term })),
    ),
    withFilter(
      fc
        .tuple(fc.constantFrom('BoolAnd' as const, 'BoolOr' as const), fc.oneof(...bools))
        .map(([_tag, term]) => ({ _tag, term })),
    ),
    // The aggregate's order ends with its own argument: the values of a tie are equal, so the array
    // (or text) is determined.
    withFilter(
      fc
        .oneof(...arrayable)
        .chain(term =>
          orderOf(term).map(orderBy => ({ _tag: 'ArrayAgg' as const, term, separator: '', orderBy })),
        ),
    ),
  ]
  if (textual.length > 0)
    alts.push(
      withFilter(
        fc
          .tuple(fc.oneof(...textual), fc.constantFrom(',', '', ' | '))
          .chain(([term, separator]) =>
            orderOf(term).map(orderBy => ({ _tag: 'StringAgg' as const, term, separator, orderBy })),
          ),
      ),
    )
  return fc.oneof(...alts)
}

// Named association paths from a schema, up to three hops (a bounded number).
const pathsFrom = (
  g: Generated,
  schema: string,
): ReadonlyArray<{ readonly path: ReadonlyArray<string>; readonly targets: ReadonlyArray<string> }> => {
  const out: Array<{ readonly path: ReadonlyArray<string>; readonly targets: ReadonlyArray<string> }> = []
  const walk = (at: string, path: ReadonlyArray<string>, targets: ReadonlyArray<string>, tables: number) => {
    if (path.length >= 3 || out.length >= 60) return
    for (const a of g.model.associations.get(at)?.values() ?? []) {
      // At most four tables joined per path: a through of throughs joins a dozen, whose cross
      // products make PostgreSQL (and memory) slow and test nothing more.
      const n = tables + tablesOf(g, at, a.name)
      if (n > 4) continue
      const next = { path: [...path, a.name], targets: [...targets, a.target] }
      out.push(next)
      walk(a.target, next.path, next.targets, n)
    }
  }
  walk(schema, [], [], 0)
  return out
}

// The tables a join of an association adds: one, two for a many-to-many (its join table), those of
// each hop for a through.
const tablesOf = (g: Generated, owner: string, name: string): number => {
  const a = g.spec.associations.find(x => x.owner === owner && x.name === name)
  if (a === undefined) return 1
  if (a.kind === 'manyToMany') return 2
  if (a.kind !== 'through') return 1
  let n = 0
  let at = owner
  for (const hop of a.path) {
    n += tablesOf(g, at, hop)
    at = Model.association(g.model, at, hop)?.target ?? at
  }
  return n
}

const compareOps = fc.constantFrom<Expr.CompareOp>('eq', 'neq', 'lt', 'lte', 'gt', 'gte')

/**
 * Random queries of the algebra over a model (see `AlgebraSpec`).
 *
 * - Joins of up to two association paths of one to three hops (throughs included), of every kind
 *   (`inner`, `left`, `right`, `full`), with an `on` condition now and then.
 * - Projections of the root's and the joined bindings' columns and of expressions over them:
 *   arithmetic (`add`, `sub`, `mul`, `div`, `mod`, of integers, doubles and numerics, division by
 *   zero included), `abs`, `round`, `lower`, `upper`, `trim`, `length`, `concat`, `coalesce`,
 *   `nullif`, `case`, casts, `dateTrunc`, predicates as booleans; relation aggregates (`$.count`,
 *   `$.sum`, `$.avg`, `$.min`, `$.max`, filtered or not) and scalar subqueries (a count, correlated to
 *   one or two levels around it, with a nested subquery; a column of the row with a given id).
 * - `where` conjuncts from `pred`, comparisons of terms (relation aggregates included) and subqueries
 *   (`Pred.exists`, `Pred.notExists`, `Pred.in`; nested, correlated to every level or not).
 * - Groups (by columns, `lower` / `upper` / `trim` / `length` / `dateTrunc` of them, or none) with
 *   `count`, `count(t)`, `countDistinct`, `sum`, `avg`, `min`, `max`, `boolAnd`, `boolOr`, `arrayAgg`
 *   and `stringAgg` (ordered), each with a `filter` now and then, over any term; functions of group
 *   terms; columns of a binding whose `id` is grouped; relation aggregates when the root's `id` is
 *   grouped; `having` comparisons of aggregates.
 * - `distinctOn`; an order by outputs and by terms, offset and limit. When a limit, an offset or a
 *   `distinctOn` is drawn, the order ends with every output, so the rows are determined.
 * - Join-preloads (`Preload.joined`) of the one-hop joins, in place of the projection, one query in
 *   two where they apply (`joinPreloadOneIn`): whole rows, or projections of the target's columns and
 *   of terms over its row that never fail on a row (functions, arithmetic, `coalesce`, `case`, casts,
 *   conditions, relation aggregates and scalar subqueries correlated to the joined row).
 *
 * At a small rate (`refusedOneIn`), a query the library refuses (see `Refusal`).
 *
 * `bigint` and `numeric` columns (decimal text, whose references the query layer marks so that the
 * memory interpreter compares them by value) take arithmetic with integers and each other, `sum`,
 * `avg`, `min`, `max`, orders and groups; their values have one display scale per column type (which
 * text of `1.0` and `1.00` a group shows is PostgreSQL's choice: test/query/decimal.test.ts covers
 * mixed scales). Excluded: `min` / `max` of booleans (PostgreSQL has none). A term that can fail on a row (a division, a cast of text to a
 * number) never stands in a `where`, an `on`, a `groupBy` or a `having`: PostgreSQL orders conjuncts
 * by cost, so a failing one could fail on one side only.
 *
 * @example
 * import * as fc from 'fast-check'
 * import * as Arb from 'quiver-sql/testing'
 * const cases = Arb.model().chain(g => Arb.rows(g).chain(data => Arb.algebraQuery(g).map(q => ({ g, data, q }))))
 * fc.assert(
 *   fc.property(cases, ({ g, data, q }) => (Arb.toAlgebraQuery(g, data, q).errors.length === 0) === (q.refused === null)),
 *   { numRuns: 20 },
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const algebraQuery = (g: Generated, options: AlgebraOptions = {}): fc.Arbitrary<AlgebraSpec> => {
  const schemas = g.spec.tables.map(t => t.schema)
  const oneIn = options.refusedOneIn ?? 20
  const asked = options.joinPreloadOneIn
  const preloadOneIn = typeof asked === 'number' && asked >= 1 && asked <= 2 ** 31 ? Math.floor(asked) : 2
  return fc.constantFrom(...schemas).chain(schema => {
    const assocs = [...(g.model.associations.get(schema)?.values() ?? [])]
    const paths = pathsFrom(g, schema)
    const joinArb: fc.Arbitrary<ReadonlyArray<JoinSpec>> =
      paths.length === 0
        ? fc.constant([])
        : fc
            .array(
              fc.constantFrom(...paths).chain(p =>
                fc.record({
                  path: fc.constant(p.path),
                  kind: fc.constantFrom<Expr.JoinKind>('inner', 'left', 'right', 'full'),
                  on: fc.option(pred(g, p.targets[p.targets.length - 1] as string, 1), { freq: 3 }),
                }),
              ),
              { maxLength: 2 },
            )
            // A path whose name (or a prefix's) is bound to a join already is joined twice: left to
            // the refusal of that name.
            .map(js => {
              const bound = new Set<string>()
              return js.filter(j => {
                const name = j.path.join('.')
                if (bound.has(name)) return false
                j.path.forEach((_, i) => bound.add(j.path.slice(0, i + 1).join('.')))
                return true
              })
            })
    return fc
      .record({
        joins: joinArb,
        grouped: fc.boolean(),
        refused: fc.integer({ min: 0, max: Math.max(oneIn - 1, 0) }),
        which: fc.constantFrom<Refusal>(
          'ungrouped',
          'aggregateInWhere',
          'aggregateInGroupBy',
          'nestedAggregate',
          'ungroupedRelation',
          'unknownJoin',
          'joinedTwice',
          'wrongType',
          'fractionBesideInteger',
          'impossibleCast',
        ),
      })
      .chain(({ joins, grouped, refused, which }) => {
        const bindings = new Map<string, string>()
        for (const j of joins)
          j.path.forEach((_, i) => {
            const p = paths.find(x => x.path.join('.') === j.path.slice(0, i + 1).join('.'))
            if (p !== undefined) bindings.set(p.path.join('.'), p.targets[p.targets.length - 1] as string)
          })
        const scope: ReadonlyArray<InScope> = [
          ...columnsOf(g.spec, schema).map(column => ({ binding: null, column })),
          ...[...bindings].flatMap(([binding, target]) =>
            columnsOf(g.spec, target).map(column => ({ binding, column })),
          ),
        ]
        const c: TermCtx = memo(g, `terms ${schema} ${[...bindings.keys()].join(',')}`, () => ({
          g,
          schema,
          scope,
          assocs,
          cache: new Map(),
        }))
        const all = (kinds: ReadonlyArray<Kind>, depth: number, o: { safe: boolean; subqueries: boolean }) =>
          kinds.flatMap(k => {
            const t = termOf(c, k, depth, o)
            return t === null ? [] : [t]
          })
        const plain = cached(c, 'plain', () => {
          const plainAlts = all(
            ['integer', 'integer', 'text', 'boolean', 'timestamptz', 'double', 'decimal', 'date'],
            2,
            { safe: false, subqueries: true },
          )
          const rootInts = intNames(g, schema)
          plainAlts.push(
            fc
              .tuple(fc.constantFrom(...schemas), fc.constantFrom(...rootInts))
              .chain(([s, key]) =>
                fc
                  .constantFrom(...columnsOf(g.spec, s).map(x => x.name))
                  .map(column => ({ _tag: 'ScalarPick' as const, schema: s, column, key })),
              ),
          )
          if (assocs.length > 0) plainAlts.push(relation(c, null))
          return fc.oneof(...plainAlts)
        })
        const safe = cached(c, 'safe', () =>
          fc.oneof(...all(['integer', 'text', 'timestamptz'], 1, { safe: true, subqueries: true })),
        )
        const aggregate = cached(c, 'aggregate', () => aggregateOf(c))
        const groupTerm = cached(c, 'group', () => groupTermOf(c))
        const refusal = refused === 0 && oneIn > 0 ? which : null
        const shape = grouped
          ? fc.uniqueArray(groupTerm, { maxLength: 2, selector: t => JSON.stringify(t) }).chain(groupBy => {
              // Columns of a binding whose id is grouped are allowed, as PostgreSQL allows them.
              const keyed = scope.filter(s =>
                groupBy.some(t => t._tag === 'Column' && t.column === 'id' && t.binding === s.binding),
              )
              const rootKeyed = groupBy.some(
                t => t._tag === 'Column' && t.column === 'id' && t.binding === null,
              )
              // Functions of group terms: PostgreSQL matches the grouped expression inside them.
              const over = groupBy.map(t => {
                const k = kindOfGroupTerm(t)
                return k === 'integer'
                  ? fc
                      .tuple(
                        fc.constantFrom<Expr.ArithOp>('add', 'mul', 'div'),
                        fc.integer({ min: -1, max: 2 }),
                      )
                      .map(([op, right]): TermSpec => ({ _tag: 'Arith', op, term: t, right }))
                  : k === 'text'
                    ? fc.constantFrom<TermSpec>({ _tag: 'Upper', term: t }, { _tag: 'Length', term: t })
                    : fc.constant<TermSpec>({ _tag: 'Coalesce', term: t, value: kindValues[k][0] })
              })
              const groupedAlts: Array<fc.Arbitrary<TermSpec>> = [
                aggregate,
                aggregate,
                // Arithmetic over an aggregate (a division by zero fails in every group).
                fc
                  .tuple(
                    fc.constantFrom<Expr.ArithOp>('add', 'mul', 'div', 'mod'),
                    fc.integer({ min: -1, max: 3 }),
                  )
                  .map(([op, right]): TermSpec => ({ _tag: 'Arith', op, term: { _tag: 'Count' }, right })),
                ...(groupBy.length > 0 ? [fc.constantFrom(...groupBy)] : []),
                ...over,
                ...(keyed.length > 0 ? [fc.constantFrom(...keyed).map(columnTerm)] : []),
                ...(rootKeyed && assocs.length > 0 ? [relation(c, null)] : []),
              ]
              const counted = fc.oneof(
                fc.constant<TermSpec>({ _tag: 'Count' }),
                fc
                  .constantFrom(...scope.filter(s => s.column.type === 'integer'))
                  .chain(s =>
                    fc
                      .constantFrom('Sum' as const, 'Max' as const, 'CountOf' as const, 'Avg' as const)
                      .map((_tag): TermSpec => ({ _tag, term: columnTerm(s) })),
                  ),
                ...(rootKeyed && assocs.length > 0 ? [relation(c, 'integer')] : []),
              )
              return fc.record({
                groupBy: fc.constant(groupBy),
                outputs: fc.array(fc.oneof(...groupedAlts), { minLength: 1, maxLength: 4 }),
                having: fc.array(
                  fc.record({ op: compareOps, term: counted, value: fc.integer({ min: 0, max: 4 }) }),
                  { maxLength: 1 },
                ),
                distinctOn: fc.constant([] as ReadonlyArray<TermSpec>),
                orderTerms: fc.array(
                  fc.oneof(counted, ...(groupBy.length > 0 ? [fc.constantFrom(...groupBy)] : [])),
                  {
                    maxLength: 1,
                  },
                ),
              })
            })
          : fc.record({
              groupBy: fc.constant([] as ReadonlyArray<TermSpec>),
              outputs: fc.array(plain, { minLength: 1, maxLength: 4 }),
              having: fc.constant([]),
              distinctOn: fc.oneof(
                { weight: 3, arbitrary: fc.constant([] as ReadonlyArray<TermSpec>) },
                { weight: 1, arbitrary: fc.array(groupTerm, { minLength: 1, maxLength: 2 }) },
              ),
              orderTerms: fc.array(plain, { maxLength: 1 }),
            })
        return fc
          .record({
            shape,
            where: fc.array(pred(g, schema, 1), { maxLength: 2 }),
            compare: fc.array(
              safe.chain(term =>
                fc.record({
                  op: compareOps,
                  term: fc.constant(term),
                  value: fc.constantFrom(...kindValues[kindOfSafe(term)]),
                }),
              ),
              { maxLength: 1 },
            ),
            subqueries: fc.array(subPred(g, [schema], 1), { maxLength: 1 }),
            order: fc.array(fc.tuple(directionArb, fc.nat(3)), { maxLength: 2 }),
            termOrder: fc.array(directionArb, { maxLength: 1 }),
            offset: fc.option(fc.nat(3), { freq: 4 }),
            limit: fc.option(fc.nat(4), { freq: 3 }),
            // One query in four is the source of an outer one.
            outer: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: outerArb }),
            preloads: fc.nat(preloadOneIn - 1),
          })
          .map(
            ({
              shape,
              where,
              compare,
              subqueries,
              order,
              termOrder,
              offset,
              limit,
              outer,
              preloads,
            }): AlgebraSpec => {
              const n = shape.outputs.length
              // Join-preloads, one query in two where they apply (see `AlgebraSpec.joinPreload`): its
              // right and full joins become left ones.
              const preloading =
                preloads === 0 && !grouped && refusal === null && shape.distinctOn.length === 0
              const kept = preloading ? forPreload(g, schema, joins) : joins
              const joinPreload = preloading ? preloadable(g, schema, kept) : []
              const byTerm = shape.orderTerms.flatMap((t, i) => {
                const d = termOrder[i]
                return d === undefined ? [] : [[d, t] as const]
              })
              const orderBy: ReadonlyArray<readonly [A.Direction, number | TermSpec]> = [
                ...byTerm,
                ...order.map(([d, i]) => [d, i % n] as const),
              ]
              const total =
                limit !== null || offset !== null || shape.distinctOn.length > 0
                  ? [...orderBy, ...shape.outputs.map((_, i) => ['asc', i] as const)]
                  : orderBy
              const within = (i: number) => i % n
              return refuse(
                {
                  schema,
                  joins: joinPreload.length > 0 ? kept : joins,
                  where,
                  compare,
                  subqueries,
                  ...shape,
                  orderBy: total,
                  offset,
                  limit,
                  refused: null,
                  grouped,
                  joinPreload,
                  // One query in two where it applies, from what is drawn already (the draws, and so
                  // every other property's cases, stay as they were).
                  merged: !grouped && refusal === null && shape.distinctOn.length === 0 && n % 2 === 0,
                  outer:
                    outer === null || joinPreload.length > 0
                      ? null
                      : {
                          // No outer filter over an output that may fail on a row when the
                          // projection has a filter or a join of its own: PostgreSQL pushes the outer
                          // filter down beside them, and whether it ever reaches a failing row depends
                          // on its plan (the quals' order by cost, a hash join whose other side is
                          // empty and so reads none of this side's rows), which memory cannot follow.
                          where: outer.where
                            .map(w => ({ ...w, output: within(w.output) }))
                            .filter(
                              w =>
                                !fallible(shape.outputs[w.output]) ||
                                ((joinPreload.length > 0 ? kept : joins).length === 0 &&
                                  where.length === 0 &&
                                  compare.length === 0 &&
                                  shape.having.length === 0 &&
                                  subqueries.length === 0),
                            ),
                          groupBy: outer.groupBy === null ? null : within(outer.groupBy),
                          counted: within(outer.counted),
                          outputs: [...new Set(outer.outputs.map(within))],
                          limit: outer.limit,
                        },
                },
                refusal,
                assocs,
              )
            },
          )
          .chain(spec => joinProjected(g, spec, oneIn))
      })
  })
}

// A spec with join-preloads given projections (see `AlgebraSpec.joinProjection`): two in three of its
// join-preloaded bindings projected, over one to three terms, a column or a term that never fails on a
// row; one spec in `oneIn` refused for an aggregate of rows in the first one's projection. Drawn only
// where there are join-preloads, so every other query draws as it did.
const joinProjected = (g: Generated, spec: AlgebraSpec, oneIn: number): fc.Arbitrary<AlgebraSpec> => {
  const names = spec.joinPreload ?? []
  if (names.length === 0 || spec.refused !== null) return fc.constant(spec)
  return fc
    .record({
      projections: fc.tuple(
        ...names.map(n => {
          const target = Model.association(g.model, spec.schema, n)?.target
          return target === undefined ? fc.constant(null) : fc.option(joinProjection(g, target), { freq: 3 })
        }),
      ),
      refused: fc.integer({ min: 0, max: Math.max(oneIn - 1, 0) }),
    })
    .map(({ projections, refused }): AlgebraSpec => {
      const joinProjection = Object.fromEntries(
        names.flatMap((n, i) => {
          const p = projections[i]
          return p === null || p === undefined ? [] : [[n, p] as const]
        }),
      )
      return {
        ...spec,
        joinProjection,
        refused: refused === 0 && oneIn > 0 ? 'aggregateInJoinPreload' : null,
      }
    })
}

// The terms of a join-preload's projection over rows of `target`.
const joinProjection = (g: Generated, target: string): fc.Arbitrary<ReadonlyArray<TermSpec>> =>
  memo(g, `join projection ${target}`, () => {
    // The terms of a query over `target` with no joins (`algebraQuery`'s, shared).
    const scope = columnsOf(g.spec, target).map(column => ({ binding: null, column }))
    const c: TermCtx = memo(g, `terms ${target} `, () => ({
      g,
      schema: target,
      scope,
      assocs: [...(g.model.associations.get(target)?.values() ?? [])],
      cache: new Map(),
    }))
    const kinds: ReadonlyArray<Kind> = [
      'integer',
      'text',
      'boolean',
      'timestamptz',
      'double',
      'decimal',
      'date',
    ]
    const computed = kinds.flatMap(k => {
      const t = termOf(c, k, 1, { safe: true, subqueries: true })
      return t === null ? [] : [t]
    })
    if (c.assocs.length > 0) computed.push(relation(c, null))
    const columns = fc.constantFrom(...scope).map(columnTerm)
    return fc.array(
      computed.length === 0
        ? columns
        : fc.oneof({ weight: 2, arbitrary: columns }, { weight: 3, arbitrary: fc.oneof(...computed) }),
      { minLength: 1, maxLength: 3 },
    )
  })

// A term that may fail on a row: a division, a remainder, a cast to integer.
const fallible = (u: unknown): boolean => {
  if (typeof u !== 'object' || u === null) return false
  const o = u as Readonly<Record<string, unknown>>
  return (
    (o['_tag'] === 'Arith' && (o['op'] === 'div' || o['op'] === 'mod')) ||
    (o['_tag'] === 'Cast' && o['to'] === 'integer') ||
    Object.values(o).some(fallible)
  )
}

const outerArb = fc.record({
  where: fc.array(fc.record({ output: fc.nat(3), isNull: fc.boolean() }), { maxLength: 1 }),
  groupBy: fc.option(fc.nat(3), { freq: 2 }),
  counted: fc.nat(3),
  outputs: fc.array(fc.nat(3), { minLength: 1, maxLength: 3 }),
  limit: fc.option(fc.nat(3), { freq: 2 }),
})

// The joins of a query with join-preloads: right and full joins become left ones, and with no one-hop
// join of an association that is not a through, a left join of the first such association is added
// (unless a longer path binds its name already).
const forPreload = (
  g: Generated,
  schema: string,
  joins: ReadonlyArray<JoinSpec>,
): ReadonlyArray<JoinSpec> => {
  const kept = joins.map(j => (j.kind === 'right' || j.kind === 'full' ? { ...j, kind: 'left' as const } : j))
  if (preloadable(g, schema, kept).length > 0) return kept
  const a = [...(g.model.associations.get(schema)?.values() ?? [])].find(
    x => x._tag !== 'Through' && !kept.some(j => j.path[0] === x.name),
  )
  return a === undefined ? kept : [...kept, { path: [a.name], kind: 'left', on: null }]
}

// The joins a join-preload may fill (see `AlgebraSpec.joinPreload`): none when a join is outer on the
// right (PostgreSQL's rows of the root may then be NULL).
const preloadable = (g: Generated, schema: string, joins: ReadonlyArray<JoinSpec>): ReadonlyArray<string> =>
  joins.some(j => j.kind === 'right' || j.kind === 'full')
    ? []
    : joins.flatMap(j => {
        const name = j.path[0]
        return j.path.length === 1 &&
          name !== undefined &&
          Model.association(g.model, schema, name)?._tag !== 'Through'
          ? [name]
          : []
      })

// The kind of a safe term (see `algebraQuery`): integer, text or timestamptz terms.
const kindOfSafe = (t: TermSpec): Kind => {
  switch (t._tag) {
    case 'Column':
      return kindOfColumn(t.type)
    case 'Lower':
    case 'Upper':
    case 'Trim':
    case 'Concat':
      return 'text'
    case 'Cast':
      return t.to === 'text' ? 'text' : t.to === 'date' ? 'date' : t.to === 'boolean' ? 'boolean' : 'integer'
    case 'DateTrunc':
      return 'timestamptz'
    case 'Coalesce':
    case 'Nullif':
      return kindOfSafe(t.term)
    case 'Case':
      return kindOfSafe(t.then)
    default:
      return 'integer'
  }
}

// A spec with the mistake `refusal` put in (or as it is, for null).
const refuse = (
  spec: Omit<AlgebraSpec, 'refused'> & { readonly refused: null },
  refusal: Refusal | null,
  assocs: ReadonlyArray<Model.Resolved>,
): AlgebraSpec => {
  const rootId: TermSpec = { _tag: 'Column', binding: null, column: 'id', type: 'integer' }
  const notRootId = (t: TermSpec) => t._tag !== 'Column' || t.binding !== null || t.column !== 'id'
  // A relation aggregate whose correlation is the root's `id`: refused when the id is not grouped.
  const byId = assocs.find(a => a._tag !== 'BelongsTo' && a._tag !== 'Through' && a.ownerKey === 'id')
  const r: Refusal | null = refusal === 'ungroupedRelation' && byId === undefined ? 'ungrouped' : refusal
  switch (r) {
    case null:
      return spec
    case 'ungrouped':
    case 'ungroupedRelation':
      return {
        ...spec,
        grouped: true,
        groupBy: spec.groupBy.filter(notRootId),
        distinctOn: [],
        // with an aggregate beside it, even with no group term
        outputs: [
          ...spec.outputs.filter(notRootId),
          r === 'ungrouped'
            ? rootId
            : { _tag: 'Rel', fn: 'count', association: byId?.name ?? '', column: null, filter: null },
          { _tag: 'Count' },
        ],
        orderBy: spec.orderBy.filter(([, t]) => typeof t === 'number'),
        refused: r,
      }
    case 'nestedAggregate':
      return { ...spec, outputs: [...spec.outputs, { _tag: 'SumOfCount' }], refused: r }
    case 'aggregateInGroupBy':
      return {
        ...spec,
        grouped: true,
        groupBy: [...spec.groupBy, { _tag: 'Count' }],
        distinctOn: [],
        refused: r,
      }
    case 'wrongType':
      return { ...spec, outputs: [...spec.outputs, { _tag: 'Upper', term: rootId }], refused: r }
    case 'fractionBesideInteger':
      return {
        ...spec,
        outputs: [...spec.outputs, { _tag: 'Arith', op: 'div', term: rootId, right: 0.5 }],
        refused: r,
      }
    case 'impossibleCast': {
      // A cast PostgreSQL has not (42846 before any row): of a bigint to boolean, of a boolean to a
      // double, of a number to a date.
      const casts: ReadonlyArray<TermSpec> = [
        { _tag: 'Cast', term: { _tag: 'Cast', term: rootId, to: 'bigint' }, to: 'boolean' },
        { _tag: 'Cast', term: { _tag: 'Cast', term: rootId, to: 'boolean' }, to: 'double' },
        { _tag: 'Cast', term: { _tag: 'Cast', term: rootId, to: 'double' }, to: 'date' },
      ]
      const cast = casts[spec.outputs.length % casts.length] as TermSpec
      return { ...spec, outputs: [...spec.outputs, cast], refused: r }
    }
    case 'aggregateInWhere':
    case 'unknownJoin':
    case 'joinedTwice':
      return { ...spec, refused: r }
    // (made by `toAlgebraQuery` in the first join-preload's projection; without one, in the `where`)
    case 'aggregateInJoinPreload':
      return { ...spec, refused: (spec.joinPreload ?? []).length > 0 ? r : 'aggregateInWhere' }
  }
}

// A join of a path joined already (the first join's, else the first association's twice), or of an
// unknown association when the root has none.
const twice = (g: Generated, spec: AlgebraSpec): JoinSpec => {
  const first = spec.joins[0]
  if (first !== undefined) return first
  const a = g.model.associations.get(spec.schema)?.values().next().value
  return { path: [a?.name ?? '__unknown'], kind: 'inner', on: null }
}

type LooseQuery = Query.Query<Model.AnyModel, string>
// Applies a combinator to a query whose types this untyped builder does not track.
const step = (f: (q: never) => unknown, q: Query.AnyQuery): LooseQuery => f(q as never) as LooseQuery
type LooseScope = Scope & { readonly joined: Readonly<Record<string, Refs>> }

// A subquery, correlated with the rows around it (`outers[0]` the query that holds it).
const subqueryOf = (
  g: Generated,
  s: SubquerySpec,
  outers: ReadonlyArray<Refs>,
  projected: boolean,
): Query.AnyQuery => {
  let q: LooseQuery = Query.from(g.model, s.schema)
  if (s.correlate.length > 0)
    q = step(
      Query.where((r: Refs) =>
        Pred.and(
          ...s.correlate.map(k =>
            Pred.eq(r[k.column] as Pred.Term<unknown>, outers[k.level]?.[k.outer] as Pred.Term<unknown>),
          ),
        ),
      ),
      q,
    )
  for (const w of s.where)
    q = step(
      Query.where((r: Refs, $: Scope) => toPred(w, r, $)),
      q,
    )
  for (const p of s.subqueries)
    q = step(
      Query.where((r: Refs) => subPredOf(g, p, [r, ...outers])),
      q,
    )
  return projected
    ? step(
        Query.select((r: Refs) => ({ v: r[s.column] as Pred.Term<unknown> })),
        q,
      )
    : q
}

const subPredOf = (g: Generated, s: SubPredSpec, outers: ReadonlyArray<Refs>): Pred.Pred => {
  const inner = subqueryOf(g, s.subquery, outers, s._tag === 'In')
  return s._tag === 'In'
    ? Pred.in(outers[0]?.[s.column] as Pred.Term<unknown>, inner as never)
    : s._tag === 'Exists'
      ? Pred.exists(inner)
      : Pred.notExists(inner)
}

type Options = Fn.AggOptions & Fn.OrderedAggOptions

/**
 * A term spec as a term, given the root's terms and the scope of a callback.
 *
 * @example
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Query } from 'quiver-sql'
 * import * as fc from 'fast-check'
 * import * as Arb from 'quiver-sql/testing'
 * const [g] = fc.sample(Arb.model(), { numRuns: 1, seed: 1 })
 * const schema = g!.spec.tables[0]!.schema
 * const q = pipe(
 *   Query.from(g!.model, schema),
 *   Query.select((row, $) => ({ n: Arb.toTerm(g!, { _tag: 'Count' }, row, $) })),
 * )
 * assert.strictEqual(Query.toSql(q)._tag, 'Right')
 *
 * @category destructors
 * @since 0.1.0
 */
export const toTerm = (g: Generated, t: TermSpec, row: Refs, $: Scope): Pred.Term<unknown> => {
  const go = (x: TermSpec): Pred.Term<unknown> => toTerm(g, x, row, $)
  const num = (x: TermSpec) => go(x) as Pred.Term<number>
  const str = (x: TermSpec) => go(x) as Pred.Term<string>
  const opts = (x: { readonly filter?: PredSpec }): Options => {
    const f = x.filter
    return f === undefined ? {} : { filter: toPred(f, row, $) }
  }
  switch (t._tag) {
    case 'Column': {
      const refs = t.binding === null ? row : ($ as LooseScope).joined[t.binding]
      return refs?.[t.column] ?? Expr.column('?', t.column)
    }
    case 'Lower':
      return Fn.lower(str(t.term))
    case 'Upper':
      return Fn.upper(str(t.term))
    case 'Trim':
      return Fn.trim(str(t.term))
    case 'Length':
      return Fn.length(str(t.term))
    case 'Abs':
      return Fn.abs(num(t.term))
    case 'Round':
      return Fn.round(num(t.term))
    case 'Arith':
      return arithOf[t.op](num(t.term), typeof t.right === 'number' ? t.right : num(t.right))
    case 'Concat':
      return Fn.concat(str(t.term), typeof t.right === 'string' ? t.right : str(t.right))
    case 'Coalesce':
      return Fn.coalesce(go(t.term), t.value as Pred.Operand<unknown>)
    case 'Nullif':
      return Fn.nullif(go(t.term), t.value as Pred.Operand<unknown>)
    case 'Case': {
      const branch: readonly [Pred.Pred, Pred.Operand<unknown>] = [toPred(t.when, row, $), go(t.then)]
      return t.otherwise === null || t.otherwise === undefined
        ? Fn.case_([branch])
        : Fn.case_([branch], t.otherwise as Pred.Operand<unknown>)
    }
    case 'Cast':
      return Fn.cast(go(t.term), t.to)
    case 'DateTrunc':
      return Fn.dateTrunc(t.unit, go(t.term) as Pred.Term<Date>)
    case 'Cond':
      return toPred(t.pred, row, $)
    case 'Rel': {
      const c = t.column
      const f = t.filter
      const filter = f === null ? undefined : (r: Refs, s: Scope) => toPred(f, r, s)
      const value = ((r: Refs) => r[c ?? 'id']) as never
      const name = t.association as never
      switch (t.fn) {
        case 'count':
          return $.count(name, filter)
        case 'sum':
          return $.sum(name, value, filter)
        case 'avg':
          return $.avg(name, value, filter)
        case 'min':
          return $.min(name, value, filter)
        case 'max':
          return $.max(name, value, filter)
      }
      return absurd(t.fn)
    }
    case 'ScalarCount': {
      const inner = subqueryOf(g, t.subquery, [row], false)
      return Fn.scalar(Query.select(() => ({ n: Fn.count() }))(inner as LooseQuery) as never)
    }
    case 'ScalarPick': {
      const key = row[t.key] as Pred.Term<unknown>
      const column = t.column
      return Fn.scalar(
        step(
          Query.select((r: Refs) => ({ v: r[column] as Pred.Term<unknown> })),
          step(
            Query.where((r: Refs) => Pred.eq(r['id'] as Pred.Term<unknown>, key)),
            Query.from(g.model, t.schema),
          ),
        ) as never,
      )
    }
    case 'Count':
      return Fn.count(opts(t))
    case 'CountOf':
      return Fn.count(go(t.term), opts(t))
    case 'CountDistinct':
      return Fn.countDistinct(go(t.term), opts(t))
    case 'Sum':
      return Fn.sum(num(t.term), opts(t))
    case 'Avg':
      return Fn.avg(num(t.term), opts(t))
    case 'Min':
      return Fn.min(go(t.term), opts(t))
    case 'Max':
      return Fn.max(go(t.term), opts(t))
    case 'BoolAnd':
      return Fn.boolAnd(go(t.term) as Pred.Pred, opts(t))
    case 'BoolOr':
      return Fn.boolOr(go(t.term) as Pred.Pred, opts(t))
    case 'ArrayAgg':
    case 'StringAgg': {
      const o: Options = { ...opts(t), orderBy: t.orderBy.map(([d, x]) => [d, go(x)] as const) }
      return t._tag === 'ArrayAgg' ? Fn.arrayAgg(go(t.term), o) : Fn.stringAgg(str(t.term), t.separator, o)
    }
    case 'SumOfCount':
      return Fn.sum(Fn.count())
  }
}

const arithOf: Readonly<
  Record<Expr.ArithOp, (a: Pred.Term<number>, b: Pred.Term<number> | number) => Pred.Term<unknown>>
> = {
  add: Fn.add,
  sub: Fn.sub,
  mul: Fn.mul,
  div: Fn.div,
  mod: Fn.mod,
}

/**
 * An algebra spec as a query over the generated model (see `algebraQuery`).
 *
 * @example
 * import * as fc from 'fast-check'
 * import * as Arb from 'quiver-sql/testing'
 * const cases = Arb.model().chain(g => Arb.algebraQuery(g, { refusedOneIn: 0 }).map(q => ({ g, q })))
 * fc.assert(fc.property(cases, ({ g, q }) => Arb.toAlgebraQuery(g, new Map(), q).errors.length === 0), { numRuns: 20 })
 *
 * @category destructors
 * @since 0.1.0
 */
export const toAlgebraQuery = (g: Generated, _data: Dataset, spec: AlgebraSpec): Query.AnyQuery => {
  let q: LooseQuery = Query.from(g.model, spec.schema)
  const joins: ReadonlyArray<JoinSpec> =
    spec.refused === 'unknownJoin'
      ? [...spec.joins, { path: ['__unknown'], kind: 'inner', on: null }]
      : spec.refused === 'joinedTwice'
        ? [...spec.joins, ...(spec.joins.length === 0 ? [twice(g, spec)] : []), twice(g, spec)]
        : spec.joins
  for (const j of joins) {
    const on = j.on
    q = step(
      Query.join(
        j.path as never,
        j.kind,
        (on === null ? undefined : { on: (r: Refs, $: Scope) => toPred(on, r, $) }) as never,
      ),
      q,
    )
  }
  for (const w of spec.where)
    q = step(
      Query.where((row: Refs, $: Scope) => toPred(w, row, $)),
      q,
    )
  for (const c of spec.compare)
    q = step(
      Query.where((row: Refs, $: Scope) =>
        ops[c.op](toTerm(g, c.term, row, $), c.value as Pred.Operand<unknown>),
      ),
      q,
    )
  if (spec.refused === 'aggregateInWhere')
    q = step(
      Query.where(() => Pred.gt(Fn.count(), 0)),
      q,
    )
  for (const s of spec.subqueries)
    q = step(
      Query.where((row: Refs) => subPredOf(g, s, [row])),
      q,
    )
  const term = (t: TermSpec) => (row: Refs, $: Scope) => toTerm(g, t, row, $)
  if (spec.grouped)
    q = step(
      Query.groupBy((row: Refs, $: Scope) => spec.groupBy.map(t => term(t)(row, $))),
      q,
    )
  for (const h of spec.having)
    q = step(
      Query.having((row: Refs, $: Scope) => ops[h.op](term(h.term)(row, $), h.value)),
      q,
    )
  const joinPreload = spec.joinPreload ?? []
  const outputs = (row: Refs, $: Scope) =>
    Object.fromEntries(spec.outputs.map((t, i) => [`o${i}`, term(t)(row, $)]))
  // A join-preloaded query is ordered by its keys only: with a limit or an offset PostgreSQL may stop
  // reading rows early (an incremental sort over the root's key) and compute the outputs only for the
  // rows it kept, where memory computes them on every row, so an output that can fail on a row (a
  // division by zero) could fail on one side only. Such a query keeps whole rows.
  const paged = spec.limit !== null || spec.offset !== null
  if (joinPreload.length > 0)
    return joinPreloaded(
      g,
      spec,
      joinPreload,
      spec.merged === true && !paged ? step(Query.select(outputs), q) : q,
    )
  if (spec.distinctOn.length > 0)
    q = step(
      Query.distinctOn((row: Refs, $: Scope) => spec.distinctOn.map(t => term(t)(row, $))),
      q,
    )
  q = step(spec.merged === true ? Query.selectMerge(outputs) : Query.select(outputs), q)
  // Merged rows also hold the root's columns: a limit or offset picks among rows that the outputs alone
  // do not tell apart, so the order goes on over every column of the row.
  const whole = spec.merged === true && (spec.limit !== null || spec.offset !== null)
  if (spec.orderBy.length > 0)
    q = step(
      Query.orderBy((row: Refs, $: Scope) => [
        ...spec.orderBy.map(([d, x]) => [d, typeof x === 'number' ? `o${x}` : term(x)(row, $)] as never),
        ...(whole ? Object.keys(row).map(c => row[c] as never) : []),
      ]),
      q,
    )
  if (spec.offset !== null) q = step(Query.offset(spec.offset), q)
  if (spec.limit !== null) q = step(Query.limit(spec.limit), q)
  return spec.outer === undefined || spec.outer === null ? q : outerOf(spec.outer, q)
}

// Whole rows with the joined bindings preloaded from the join (see `AlgebraSpec.joinPreload`), as
// whole rows or as the projections of `AlgebraSpec.joinProjection`.
const joinPreloaded = (
  g: Generated,
  spec: AlgebraSpec,
  names: ReadonlyArray<string>,
  from: LooseQuery,
): LooseQuery => {
  const bound = [...new Set(spec.joins.flatMap(j => j.path.map((_, i) => j.path.slice(0, i + 1).join('.'))))]
  let q = step(
    Query.orderBy(
      (row: Refs, $: Scope) =>
        [row['id'], ...bound.map(b => (($ as LooseScope).joined[b] ?? {})['id'])] as never,
    ),
    from,
  )
  if (spec.offset !== null) q = step(Query.offset(spec.offset), q)
  if (spec.limit !== null) q = step(Query.limit(spec.limit), q)
  return step(Query.preload(Object.fromEntries(names.map(n => [n, joinedOf(g, spec, n)])) as never), q)
}

// The join-preload of binding `name`: whole rows, or its projection (outputs `j0`, `j1` ...), with
// `Fn.count()` beside for the refusal `aggregateInJoinPreload` (in the first binding's).
const joinedOf = (g: Generated, spec: AlgebraSpec, name: string): unknown => {
  const terms = spec.joinProjection?.[name]
  const refused = spec.refused === 'aggregateInJoinPreload' && name === spec.joinPreload?.[0]
  const target = Model.association(g.model, spec.schema, name)?.target
  if ((terms === undefined && !refused) || target === undefined) return Preload.joined(name)
  const outputs: ReadonlyArray<TermSpec> = [
    ...(terms ?? [{ _tag: 'Column', binding: null, column: 'id', type: 'integer' }]),
    ...(refused ? [{ _tag: 'Count' } as const] : []),
  ]
  const projection = step(
    Query.select((row: Refs, $: Scope) =>
      Object.fromEntries(outputs.map((t, i) => [`j${i}`, toTerm(g, t, row, $)])),
    ),
    Query.from(g.model, target),
  )
  return Preload.joined(name, {}, projection as never)
}

// The outer query of `OuterSpec` over the projection `inner`.
const outerOf = (o: OuterSpec, inner: LooseQuery): LooseQuery => {
  let q = Query.fromQuery(inner as never) as unknown as LooseQuery
  const out = (row: Refs, i: number) => row[`o${i}`] as Pred.Term<unknown>
  for (const w of o.where)
    q = step(
      Query.where((row: Refs) => (w.isNull ? Pred.isNull : Pred.isNotNull)(out(row, w.output))),
      q,
    )
  const g = o.groupBy
  if (g !== null) {
    q = step(
      Query.groupBy((row: Refs) => [out(row, g)]),
      q,
    )
    q = step(
      Query.select((row: Refs) => ({ k: out(row, g), n: Fn.count(), c: Fn.count(out(row, o.counted)) })),
      q,
    )
  } else
    q = step(
      Query.select((row: Refs) => Object.fromEntries(o.outputs.map(i => [`o${i}`, out(row, i)]))),
      q,
    )
  if (o.limit === null) return q
  const names = g !== null ? ['k', 'n', 'c'] : o.outputs.map(i => `o${i}`)
  q = step(Query.orderBy(names.map(n => ['asc', n]) as never), q)
  return step(Query.limit(o.limit), q)
}

/**
 * The options of `preload`: how deep specs nest, and whether custom queries are totally ordered.
 *
 * @category model
 * @since 0.1.0
 */
export interface PreloadOptions {
  /** Nesting depth, 2 by default. */
  readonly depth?: number
  /** Custom queries end their order with `id`, so a per-parent limit picks determined rows. Default true. */
  readonly totalOrder?: boolean
}

/**
 * Random preload specs over a schema: up to two associations per level, each `true`, nested, or a
 * custom query with `where` filters, an order in every direction and a per-parent limit / offset.
 *
 * @example
 * import * as fc from 'fast-check'
 * import * as Arb from 'quiver-sql/testing'
 * const specs = Arb.model().chain(g => Arb.preload(g, g.spec.tables[0]!.schema).map(p => ({ g, p })))
 * fc.assert(fc.property(specs, ({ p }) => typeof p === 'object'))
 *
 * @category constructors
 * @since 0.1.0
 */
export const preload = (
  g: Generated,
  schema: string,
  options: PreloadOptions = {},
): fc.Arbitrary<PreloadSpec> => {
  const depth = options.depth ?? 2
  const assocs = [...(g.model.associations.get(schema)?.values() ?? [])]
  if (depth <= 0 || assocs.length === 0) return fc.constant({})
  const value = (target: string): fc.Arbitrary<PreloadValue> => {
    const nested = preload(g, target, { ...options, depth: depth - 1 })
    const cols = columnsOf(g.spec, target)
    return fc.oneof(
      fc.constant(true as const),
      nested.map(p => ({ _tag: 'Nested' as const, preload: p })),
      fc
        .record({
          where: fc.array(rawFilter, { maxLength: 2 }),
          orderBy: fc.array(fc.tuple(directionArb, fc.constantFrom(...cols.map(c => c.name))), {
            maxLength: 2,
          }),
          limit: fc.option(fc.nat(3), { freq: 2 }),
          offset: fc.option(fc.nat(2), { freq: 3 }),
          preload: nested,
        })
        .map(r => ({
          _tag: 'Query' as const,
          ...r,
          where: filtersOf(cols, r.where),
          orderBy: (options.totalOrder ?? true) ? [...r.orderBy, ['asc', 'id'] as const] : r.orderBy,
        })),
    )
  }
  return fc
    .subarray(assocs, { minLength: 1, maxLength: Math.min(2, assocs.length) })
    .chain(picked =>
      fc
        .tuple(...picked.map(a => value(a.target)))
        .map(values => Object.fromEntries(picked.map((a, i) => [a.name, values[i] as PreloadValue]))),
    )
}

// -------------------------------------------------------------------------------------
// constructors: writes
// -------------------------------------------------------------------------------------

/**
 * A single-record write over a model's rows: an insert of a new row (the generated `id` left out; a
 * key missing from `values` is left to the database), an update of some columns of an existing row,
 * or a delete of an existing row with the model's `onDelete` (one level, or `cascade`).
 *
 * @category model
 * @since 0.1.0
 */
export type WriteSpec =
  | { readonly _tag: 'Insert'; readonly schema: string; readonly values: Readonly<Record<string, unknown>> }
  | {
      readonly _tag: 'Update'
      readonly schema: string
      readonly id: number
      readonly changes: Readonly<Record<string, unknown>>
    }
  | { readonly _tag: 'Delete'; readonly schema: string; readonly id: number; readonly cascade: boolean }

const rowsOfSchema = (g: Generated, data: Dataset, schema: string): ReadonlyArray<RawRow> =>
  data.get(g.spec.tables.find(t => t.schema === schema)?.source ?? '') ?? []

// A value for a column of a new or changed row: a foreign key holds an existing id or null (never a
// dangling one, which a real foreign key rejects).
const writeValueOf = (g: Generated, data: Dataset, c: ColumnSpec): fc.Arbitrary<unknown> =>
  c.references !== null
    ? fc.constantFrom<unknown>(null, ...rowsOfSchema(g, data, c.references).map(r => r['id']))
    : c.nullable
      ? fc.option(valueOf(c.type), { freq: 4 })
      : valueOf(c.type)

// Every key held by a row of `tables` that referenced an existing row of `data` still does.
const keysHold = (g: Generated, data: Dataset, tables: Dataset): boolean =>
  g.spec.tables.every(t =>
    t.columns.every(c => {
      if (c.references === null) return true
      const ref = g.spec.tables.find(x => x.schema === c.references)?.source ?? ''
      const before = new Set((data.get(ref) ?? []).map(r => r['id']))
      const now = new Set((tables.get(ref) ?? []).map(r => r['id']))
      return (tables.get(t.source) ?? []).every(r => !before.has(r[c.name]) || now.has(r[c.name]))
    }),
  )

/**
 * The deletes of `data`'s rows (with and without `cascade`) that succeed on a database with foreign
 * keys on every key: after each statement of the plan (foreign keys are checked per statement), no
 * key that referenced an existing row references a deleted one, and the row itself is still there
 * for its own DELETE (a self-referencing `delete_all` can take it first: a `StaleEntry` error, as in
 * Ecto). Statements are stepped with the memory write semantics.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as fc from 'fast-check'
 * import { Write } from 'quiver-sql'
 * import * as Arb from 'quiver-sql/testing'
 * const withRows = Arb.model().chain(g => Arb.rows(g).map(data => ({ g, data })))
 * fc.assert(
 *   fc.property(withRows, ({ g, data }) =>
 *     Arb.validDeletes(g, data).every(d => E.isRight(E.flatMap((p: Write.Plan<unknown>) => Write.runPure(p)(data))(Arb.toWrite(g, data, d)))),
 *   ),
 *   { numRuns: 20 },
 * )
 *
 * @category utils
 * @since 0.1.0
 */
export const validDeletes = (g: Generated, data: Dataset): ReadonlyArray<WriteSpec> =>
  deletesOf(g, data).map(d => d.spec)

// The valid deletes, each with the number of rows its `onDelete` statements touch.
const deletesOf = (
  g: Generated,
  data: Dataset,
): ReadonlyArray<{ readonly spec: WriteSpec; readonly touched: number }> => {
  const out: Array<{ readonly spec: WriteSpec; readonly touched: number }> = []
  for (const t of g.spec.tables)
    for (const row of data.get(t.source) ?? [])
      for (const cascade of [false, true]) {
        const spec: WriteSpec = { _tag: 'Delete', schema: t.schema, id: row['id'] as number, cascade }
        const plan = toWrite(g, data, spec)
        if (E.isLeft(plan)) continue
        let tables: Dataset = data
        let ok = true
        let touched = 0
        for (const step of plan.right.steps) {
          const r = MemoryWrite.write(tables, step.statement)
          if (
            E.isLeft(r) ||
            (step.expect === 'one' && r.right.rows.length !== 1) ||
            !keysHold(g, data, r.right.tables)
          ) {
            ok = false
            break
          }
          tables = r.right.tables
          if (step.expect !== 'one') touched += r.right.rows.length
        }
        if (ok) out.push({ spec, touched })
      }
  return out
}

/**
 * Random writes over a model and its rows (see `WriteSpec`), valid on a database that has a foreign
 * key on every key whose values all exist: an insert into any table (every required column given,
 * nullable ones given, null or left out), an update of 0 to 3 columns of an existing row, a delete
 * among `validDeletes` (those whose `onDelete` touch other rows drawn more often). Keys hold existing
 * ids or null. Turn one into a plan with `toWrite`.
 *
 * @example
 * import * as fc from 'fast-check'
 * import * as Arb from 'quiver-sql/testing'
 * const cases = Arb.model().chain(g => Arb.rows(g).chain(data => Arb.write(g, data).map(w => ({ g, data, w }))))
 * fc.assert(fc.property(cases, ({ g, data, w }) => Arb.toWrite(g, data, w)._tag === 'Right'))
 *
 * @category constructors
 * @since 0.1.0
 */
export const write = (g: Generated, data: Dataset): fc.Arbitrary<WriteSpec> => {
  const inserts = fc.constantFrom(...g.spec.tables).chain(t =>
    fc
      .tuple(
        ...t.columns.map(c =>
          fc.tuple(c.nullable ? fc.boolean() : fc.constant(true), writeValueOf(g, data, c)),
        ),
      )
      .map((vs): WriteSpec => ({
        _tag: 'Insert',
        schema: t.schema,
        values: Object.fromEntries(
          t.columns.flatMap((c, i) => {
            const v = vs[i]
            return v === undefined || !v[0] ? [] : [[c.name, v[1]]]
          }),
        ),
      })),
  )
  const arbs: Array<fc.Arbitrary<WriteSpec>> = [inserts]
  const withRows = g.spec.tables.filter(t => (data.get(t.source) ?? []).length > 0)
  if (withRows.length > 0)
    arbs.push(
      fc.constantFrom(...withRows).chain(t =>
        fc
          .tuple(
            fc.constantFrom(...(data.get(t.source) ?? []).map(r => r['id'] as number)),
            fc
              .subarray([...t.columns], { maxLength: Math.min(3, t.columns.length) })
              .chain(cs => fc.tuple(...cs.map(c => writeValueOf(g, data, c))).map(vs => ({ cs, vs }))),
          )
          .map(([id, { cs, vs }]): WriteSpec => ({
            _tag: 'Update',
            schema: t.schema,
            id,
            changes: Object.fromEntries(cs.map((c, i) => [c.name, vs[i]])),
          })),
      ),
    )
  const deletes = deletesOf(g, data)
  if (deletes.length > 0) arbs.push(fc.constantFrom(...deletes.map(d => d.spec)))
  // Deletes whose onDelete touch other rows are rare among all rows: drawn as often again.
  const rich = deletes.filter(d => d.touched > 0)
  if (rich.length > 0) arbs.push(fc.constantFrom(...rich.map(d => d.spec)))
  return fc.oneof(...arbs)
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * A preload spec as the input of `Query.preload`.
 *
 * @example
 * import * as Arb from 'quiver-sql/testing'
 * assert.deepStrictEqual(
 *   Arb.toPreload({ comments: true, author: { _tag: 'Nested', preload: { posts: true } } }),
 *   { comments: true, author: { posts: true } },
 * )
 *
 * @category destructors
 * @since 0.1.0
 */
export const toPreload = (spec: PreloadSpec): Preload.Input =>
  Object.fromEntries(
    Object.entries(spec).map(([name, v]) => [
      name,
      v === true
        ? true
        : v._tag === 'Nested'
          ? toPreload(v.preload)
          : v._tag !== 'Query'
            ? absurd(v)
            : Preload.query(
                {
                  ...(v.where.length > 0 ? { where: whereOf(v.where) } : {}),
                  ...(v.orderBy.length > 0 ? { orderBy: v.orderBy } : {}),
                  ...(v.limit !== null ? { limit: v.limit } : {}),
                  ...(v.offset !== null ? { offset: v.offset } : {}),
                },
                toPreload(v.preload),
              ),
    ]),
  )

type Refs = Readonly<Record<string, Pred.Term<unknown>>>
type Scope = Query.Scope<Model.AnyModel, string, {}>

const ops: Readonly<Record<Expr.CompareOp, (a: Pred.Term<unknown>, b: Pred.Operand<unknown>) => Pred.Pred>> =
  {
    eq: (a, b) => Pred.eq(a, b),
    neq: (a, b) => Pred.neq(a, b),
    lt: (a, b) => Pred.lt(a, b),
    lte: (a, b) => Pred.lte(a, b),
    gt: (a, b) => Pred.gt(a, b),
    gte: (a, b) => Pred.gte(a, b),
  }

/**
 * A predicate spec as a predicate, given a row's terms and scope (as in a `Query.where` callback).
 *
 * @example
 * import * as fc from 'fast-check'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Query } from 'quiver-sql'
 * import * as Arb from 'quiver-sql/testing'
 * const cases = Arb.model().chain(g => {
 *   const schema = g.spec.tables[0]!.schema
 *   return Arb.pred(g, schema).map(p => ({ g, schema, p }))
 * })
 * fc.assert(
 *   fc.property(cases, ({ g, schema, p }) => {
 *     const q = pipe(Query.from(g.model, schema), Query.where((row, $) => Arb.toPred(p, row, $)))
 *     return q.errors.length === 0
 *   }),
 *   { numRuns: 20 },
 * )
 *
 * @category destructors
 * @since 0.1.0
 */
export const toPred = (p: PredSpec, row: Refs, $: Scope): Pred.Pred => {
  const col = (c: string): Pred.Term<unknown> => row[c] ?? Expr.column('?', c)
  switch (p._tag) {
    case 'Compare':
      return ops[p.op](col(p.column), p.value as Pred.Operand<unknown>)
    case 'In':
      return Pred.isIn(col(p.column), p.values as ReadonlyArray<NonNullable<unknown>>)
    case 'IsNull':
      return Pred.isNull(col(p.column))
    case 'NotNull':
      return Pred.isNotNull(col(p.column))
    case 'Like':
      return (p.caseInsensitive ? Pred.ilike : Pred.like)(col(p.column) as Pred.Term<string>, p.pattern)
    case 'Not':
      return Pred.not(toPred(p.pred, row, $))
    case 'And':
      return Pred.and(...p.preds.map(x => toPred(x, row, $)))
    case 'Or':
      return Pred.or(...p.preds.map(x => toPred(x, row, $)))
    case 'Exists':
    case 'NotExists':
    case 'Every': {
      const inner = p.pred
      const f = inner === null ? undefined : (r: Refs, s: Scope) => toPred(inner, r, s)
      if (p._tag === 'Every') return $.every(p.association, f ?? (() => Pred.and()))
      return p._tag === 'Exists' ? $.exists(p.association, f) : $.notExists(p.association, f)
    }
  }
}

/**
 * A query spec as a query over the generated model (owners of an `assoc` are looked up in `data`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as fc from 'fast-check'
 * import { Query } from 'quiver-sql'
 * import * as Arb from 'quiver-sql/testing'
 * const cases = Arb.model().chain(g => Arb.rows(g).chain(data => Arb.query(g, data).map(q => ({ g, data, q }))))
 * fc.assert(fc.property(cases, ({ g, data, q }) => E.isRight(Query.toSql(Arb.toQuery(g, data, q)))), { numRuns: 20 })
 *
 * @category destructors
 * @since 0.1.0
 */
export const toQuery = (g: Generated, data: Dataset, spec: QuerySpec): Query.AnyQuery => {
  let q: Query.AnyQuery
  if (spec.root._tag === 'From') q = Query.from(g.model, spec.root.schema)
  else if (spec.root._tag !== 'Assoc') return absurd(spec.root)
  else {
    const root = spec.root
    const source = g.spec.tables.find(t => t.schema === root.schema)?.source ?? ''
    const owners = (data.get(source) ?? []).filter(r => root.owners.includes(r['id'] as number))
    const assoc = Query.assoc as unknown as (
      m: Model.AnyModel,
      s: string,
      p: ReadonlyArray<string>,
    ) => (owners: ReadonlyArray<RawRow>) => Query.AnyQuery
    q = assoc(g.model, root.schema, root.path)(owners)
  }
  for (const w of spec.where)
    q = Query.where((row: Refs, $: Scope) => toPred(w, row, $))(q as Query.Query<Model.AnyModel, string>)
  if (spec.orderBy.length > 0) q = Query.orderBy(spec.orderBy)(q as Query.Query<Model.AnyModel, string>)
  if (spec.distinct) q = Query.distinct()(q)
  if (spec.offset !== null) q = Query.offset(spec.offset)(q)
  if (spec.limit !== null) q = Query.limit(spec.limit)(q)
  return q
}

/**
 * A write spec as a plan (built with `Write.insert`, `Write.update` or `Write.delete`); the row of an
 * update or delete is looked up in `data` by id.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as fc from 'fast-check'
 * import { Write } from 'quiver-sql'
 * import * as Arb from 'quiver-sql/testing'
 * const cases = Arb.model().chain(g => Arb.rows(g).chain(data => Arb.write(g, data).map(w => ({ g, data, w }))))
 * // Every drawn write has a plan, and the plan runs on the rows it was drawn for.
 * fc.assert(
 *   fc.property(cases, ({ g, data, w }) => E.isRight(E.flatMap((p: Write.Plan<unknown>) => Write.runPure(p)(data))(Arb.toWrite(g, data, w)))),
 *   { numRuns: 20 },
 * )
 *
 * @category destructors
 * @since 0.1.0
 */
export const toWrite = (
  g: Generated,
  data: Dataset,
  spec: WriteSpec,
): E.Either<WriteError, Plan.Plan<unknown>> => {
  const m = g.model
  if (spec._tag === 'Insert')
    return WriteRecord.insert(m, spec.schema, spec.values as WriteRecord.Insertable<Model.AnyModel, string>)
  const row = rowsOfSchema(g, data, spec.schema).find(r => r['id'] === spec.id) ?? { id: spec.id }
  return spec._tag === 'Update'
    ? WriteRecord.update(m, spec.schema, row, spec.changes)
    : spec._tag === 'Delete'
      ? WriteRecord.delete_(m, spec.schema, row, { cascade: spec.cascade })
      : absurd(spec)
}
