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
 * order alike.
 *
 * @category model
 * @since 0.1.0
 */
export type ColumnType = 'integer' | 'text' | 'boolean' | 'timestamptz'

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
const domains: Readonly<Record<ColumnType, ReadonlyArray<unknown>>> = {
  integer: [-1, 0, 1, 2, 3],
  text: texts,
  boolean: [false, true],
  timestamptz: dates,
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
 * Random models: 2 to 6 tables with an integer serial `id`, text / boolean / integer / timestamptz
 * columns (some nullable), nullable integer foreign keys, and associations of every kind: has-many,
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
          type: fc.constantFrom<ColumnType>('integer', 'text', 'boolean', 'timestamptz'),
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
export const pred = (g: Generated, schema: string, depth = 2): fc.Arbitrary<PredSpec> => {
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
 * A term of a projection, a group, an order or a having, over the root (`binding: null`) and the
 * joined bindings (by association name). Each column carries its generated type, so a counterexample
 * says what the term is.
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
  | { readonly _tag: 'Lower' | 'Length'; readonly term: TermSpec }
  | { readonly _tag: 'Add'; readonly term: TermSpec; readonly value: number }
  | { readonly _tag: 'Coalesce'; readonly term: TermSpec; readonly value: unknown }
  | { readonly _tag: 'RelCount'; readonly association: string }
  | { readonly _tag: 'RelSum'; readonly association: string; readonly column: string }
  | { readonly _tag: 'ScalarCount'; readonly subquery: SubquerySpec }
  | { readonly _tag: 'Count' }
  | { readonly _tag: 'CountOf' | 'Sum' | 'Min' | 'Max'; readonly term: TermSpec }
  | { readonly _tag: 'SumOfCount' }

/**
 * A query of another (or the same) schema embedded in a condition or a projection: filtered, and
 * correlated (`[inner column, outer root column]`, both integers) or not; projected on one integer
 * column when it stands in `Pred.in`.
 *
 * @category model
 * @since 0.1.0
 */
export interface SubquerySpec {
  readonly schema: string
  readonly column: string
  readonly correlate: readonly [string, string] | null
  readonly where: ReadonlyArray<PredSpec>
}

/**
 * A condition over the root with a subquery: `Pred.exists`, `Pred.notExists`, or `Pred.in` of an
 * integer column of the root.
 *
 * @category model
 * @since 0.1.0
 */
export type SubPredSpec =
  | { readonly _tag: 'Exists' | 'NotExists'; readonly subquery: SubquerySpec }
  | { readonly _tag: 'In'; readonly column: string; readonly subquery: SubquerySpec }

/**
 * A query of the algebra: a root schema, joins of its associations of any kind, `where` conjuncts
 * (row predicates and subqueries), an optional grouping (`groupBy` terms, possibly none: one group of
 * all rows) with `having` comparisons of aggregates, a projection (outputs named `o0`, `o1` ...),
 * `distinctOn` terms, an order by output index, offset and limit. `refused` names the mistake of a
 * query built to be refused (a typed error before any SQL, on every interpreter alike), else null.
 *
 * @category model
 * @since 0.1.0
 */
export interface AlgebraSpec {
  readonly schema: string
  readonly joins: ReadonlyArray<{ readonly association: string; readonly kind: Expr.JoinKind }>
  readonly where: ReadonlyArray<PredSpec>
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
  readonly orderBy: ReadonlyArray<readonly [A.Direction, number]>
  readonly offset: number | null
  readonly limit: number | null
  readonly refused: null | 'ungrouped' | 'aggregateInWhere' | 'nestedAggregate'
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

// A subquery over any schema: filtered, correlated with the root on integer columns or not.
const subquery = (g: Generated, schema: string): fc.Arbitrary<SubquerySpec> => {
  const outer = columnsOf(g.spec, schema).filter(c => c.type === 'integer')
  return fc.constantFrom(...g.spec.tables.map(t => t.schema)).chain(inner => {
    const ints = columnsOf(g.spec, inner)
      .filter(c => c.type === 'integer')
      .map(c => c.name)
    return fc.record({
      schema: fc.constant(inner),
      column: fc.constantFrom(...ints),
      correlate: fc.option(fc.tuple(fc.constantFrom(...ints), fc.constantFrom(...outer.map(c => c.name))), {
        freq: 2,
      }),
      where: fc.array(pred(g, inner, 1), { maxLength: 1 }),
    })
  })
}

/**
 * Random queries of the algebra over a model (see `AlgebraSpec`): joins of every kind (`inner`,
 * `left`, `right`, `full`) of up to two of the root's associations; projections of the root's and the
 * joined bindings' columns, `lower`, `length`, `add`, `coalesce`, relation aggregates (`$.count`,
 * `$.sum`) and correlated scalar subqueries (`Fn.scalar` of a count); `where` conjuncts from `pred`
 * and subqueries (`Pred.exists`, `Pred.notExists`, `Pred.in` of a projected query, correlated or
 * not); groups (by columns, `lower` and `length` of them, or none) with `count`, `count(t)`, `sum`,
 * `min` and `max`, columns of a binding whose `id` is grouped, and `having`; `distinctOn`; an order by
 * outputs, offset and limit. When a limit, an offset or a `distinctOn` is drawn, the order ends with
 * every output, so the rows are determined. At a small rate (`refusedOneIn`), a query the library
 * refuses: a column neither grouped nor inside an aggregate, an aggregate in a `where`, an aggregate
 * inside an aggregate.
 *
 * Excluded, because the memory interpreter reads types from values (see its `Eval` module): only
 * integer, text, boolean and timestamptz columns are generated, so no bigint or numeric column is
 * ordered or taken the `min` / `max` of (such text compares as text there); `sum` is of integer
 * columns only, never ordered through arithmetic on its `bigint` result; `min` / `max` are never of
 * booleans (PostgreSQL has none).
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
  return fc.constantFrom(...schemas).chain(schema => {
    const assocs = [...(g.model.associations.get(schema)?.values() ?? [])]
    const joins = fc.uniqueArray(
      fc.record({
        association: fc.constantFrom(...(assocs.length > 0 ? assocs.map(a => a.name) : [''])),
        kind: fc.constantFrom<Expr.JoinKind>('inner', 'left', 'right', 'full'),
      }),
      { maxLength: assocs.length > 0 ? 2 : 0, selector: j => j.association },
    )
    return fc
      .record({
        joins,
        grouped: fc.boolean(),
        refused: fc.integer({ min: 0, max: Math.max(oneIn - 1, 0) }),
        which: fc.constantFrom('ungrouped' as const, 'aggregateInWhere' as const, 'nestedAggregate' as const),
      })
      .chain(({ joins, grouped, refused, which }) => {
        const scope: ReadonlyArray<InScope> = [
          ...columnsOf(g.spec, schema).map(column => ({ binding: null, column })),
          ...joins.flatMap(j =>
            columnsOf(g.spec, assocs.find(a => a.name === j.association)?.target ?? '').map(column => ({
              binding: j.association,
              column,
            })),
          ),
        ]
        const column = fc.constantFrom(...scope)
        const typed = (ts: ReadonlyArray<ColumnType>) => scope.filter(s => ts.includes(s.column.type))
        const ints = typed(['integer'])
        const texts_ = typed(['text'])
        const plainAlts: Array<fc.Arbitrary<TermSpec>> = [
          column.map(columnTerm),
          column.map(columnTerm),
          fc.tuple(fc.constantFrom(...ints), fc.integer({ min: -2, max: 2 })).map(([c, value]) => ({
            _tag: 'Add' as const,
            term: columnTerm(c),
            value,
          })),
          column.chain(c =>
            valueOf(c.column.type).map(value => ({ _tag: 'Coalesce' as const, term: columnTerm(c), value })),
          ),
          subquery(g, schema).map(s => ({ _tag: 'ScalarCount' as const, subquery: s })),
        ]
        if (texts_.length > 0)
          plainAlts.push(
            fc
              .tuple(fc.constantFrom('Lower' as const, 'Length' as const), fc.constantFrom(...texts_))
              .map(([_tag, c]) => ({ _tag, term: columnTerm(c) })),
          )
        if (assocs.length > 0)
          plainAlts.push(
            fc.constantFrom(...assocs).map(a => ({ _tag: 'RelCount' as const, association: a.name })),
            fc.constantFrom(...assocs).chain(a =>
              fc
                .constantFrom(
                  ...columnsOf(g.spec, a.target)
                    .filter(c => c.type === 'integer')
                    .map(c => c.name),
                )
                .map(c => ({ _tag: 'RelSum' as const, association: a.name, column: c })),
            ),
          )
        const plain = fc.oneof(...plainAlts)
        const extremes = typed(['integer', 'text', 'timestamptz'])
        const aggregate: fc.Arbitrary<TermSpec> = fc.oneof(
          fc.constant({ _tag: 'Count' as const }),
          column.map(c => ({ _tag: 'CountOf' as const, term: columnTerm(c) })),
          fc.constantFrom(...ints).map(c => ({ _tag: 'Sum' as const, term: columnTerm(c) })),
          fc
            .tuple(fc.constantFrom('Min' as const, 'Max' as const), fc.constantFrom(...extremes))
            .map(([_tag, c]) => ({ _tag, term: columnTerm(c) })),
        )
        // Group and distinct on terms hold no value: a grouped expression with a parameter never matches
        // the same expression in the projection, nor a distinct on term the order it must lead (each
        // value is a parameter of its own); the library refuses the second.
        const groupAlts: Array<fc.Arbitrary<TermSpec>> = [column.map(columnTerm)]
        if (texts_.length > 0)
          groupAlts.push(
            fc
              .tuple(fc.constantFrom('Lower' as const, 'Length' as const), fc.constantFrom(...texts_))
              .map(([_tag, c]) => ({ _tag, term: columnTerm(c) })),
          )
        const groupTerm = fc.oneof(...groupAlts)
        const refusal = refused === 0 && oneIn > 0 ? which : null
        const shape = grouped
          ? fc.uniqueArray(groupTerm, { maxLength: 2, selector: t => JSON.stringify(t) }).chain(groupBy => {
              // Columns of a binding whose id is grouped are allowed, as PostgreSQL allows them.
              const keyed = scope.filter(s =>
                groupBy.some(t => t._tag === 'Column' && t.column === 'id' && t.binding === s.binding),
              )
              const outputs = fc.array(
                fc.oneof(
                  aggregate,
                  ...(groupBy.length > 0 ? [fc.constantFrom(...groupBy)] : []),
                  ...(keyed.length > 0 ? [fc.constantFrom(...keyed).map(columnTerm)] : []),
                ),
                { minLength: 1, maxLength: 4 },
              )
              const havingTerm = fc.oneof(
                fc.constant({ _tag: 'Count' as const }),
                fc.constantFrom(...ints).map(c => ({ _tag: 'Sum' as const, term: columnTerm(c) })),
              )
              return fc.record({
                groupBy: fc.constant(groupBy),
                outputs,
                having: fc.array(
                  fc.record({
                    op: fc.constantFrom<Expr.CompareOp>('eq', 'neq', 'lt', 'lte', 'gt', 'gte'),
                    term: havingTerm,
                    value: fc.integer({ min: 0, max: 4 }),
                  }),
                  { maxLength: 1 },
                ),
                distinctOn: fc.constant([] as ReadonlyArray<TermSpec>),
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
            })
        return fc
          .record({
            shape,
            where: fc.array(pred(g, schema, 1), { maxLength: 2 }),
            subqueries: fc.array(
              fc.oneof(
                fc.record({
                  _tag: fc.constantFrom('Exists' as const, 'NotExists' as const),
                  subquery: subquery(g, schema),
                }),
                fc.record({
                  _tag: fc.constant('In' as const),
                  column: fc.constantFrom(
                    ...columnsOf(g.spec, schema)
                      .filter(c => c.type === 'integer')
                      .map(c => c.name),
                  ),
                  subquery: subquery(g, schema),
                }),
              ),
              { maxLength: 1 },
            ),
            order: fc.array(fc.tuple(directionArb, fc.nat(3)), { maxLength: 2 }),
            offset: fc.option(fc.nat(3), { freq: 4 }),
            limit: fc.option(fc.nat(4), { freq: 3 }),
          })
          .map(({ shape, where, subqueries, order, offset, limit }): AlgebraSpec => {
            const n = shape.outputs.length
            const orderBy = order.map(([d, i]) => [d, i % n] as const)
            const total =
              limit !== null || offset !== null || shape.distinctOn.length > 0
                ? [...orderBy, ...shape.outputs.map((_, i) => ['asc', i] as const)]
                : orderBy
            const refusedOutputs: ReadonlyArray<TermSpec> =
              refusal === 'ungrouped'
                ? // with an aggregate beside it, even with no group term
                  [{ _tag: 'Column', binding: null, column: 'id', type: 'integer' }, { _tag: 'Count' }]
                : refusal === 'nestedAggregate'
                  ? [{ _tag: 'SumOfCount' }]
                  : []
            return {
              schema,
              joins,
              where,
              subqueries,
              // An ungrouped root id is refused only where grouping happens and the id is not grouped.
              grouped: grouped || refusal === 'ungrouped',
              groupBy:
                refusal === 'ungrouped'
                  ? shape.groupBy.filter(t => t._tag !== 'Column' || t.binding !== null || t.column !== 'id')
                  : shape.groupBy,
              having: shape.having,
              outputs: [...shape.outputs, ...refusedOutputs],
              distinctOn: shape.distinctOn,
              orderBy: total,
              offset,
              limit,
              refused: refusal,
            }
          })
      })
  })
}

type LooseQuery = Query.Query<Model.AnyModel, string>
// Applies a combinator to a query whose types this untyped builder does not track.
const step = (f: (q: never) => unknown, q: Query.AnyQuery): LooseQuery => f(q as never) as LooseQuery
type LooseScope = Scope & { readonly joined: Readonly<Record<string, Refs>> }

const subqueryOf = (g: Generated, s: SubquerySpec, outer: Refs, projected: boolean): Query.AnyQuery => {
  let q: LooseQuery = Query.from(g.model, s.schema)
  const correlate = s.correlate
  if (correlate !== null)
    q = step(
      Query.where((r: Refs) =>
        Pred.eq(r[correlate[0]] as Pred.Term<unknown>, outer[correlate[1]] as Pred.Term<unknown>),
      ),
      q,
    )
  for (const w of s.where)
    q = step(
      Query.where((r: Refs, $: Scope) => toPred(w, r, $)),
      q,
    )
  return projected
    ? step(
        Query.select((r: Refs) => ({ v: r[s.column] as Pred.Term<unknown> })),
        q,
      )
    : q
}

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
  switch (t._tag) {
    case 'Column': {
      const refs = t.binding === null ? row : ($ as LooseScope).joined[t.binding]
      return refs?.[t.column] ?? Expr.column('?', t.column)
    }
    case 'Lower':
      return Fn.lower(go(t.term) as Pred.Term<string>)
    case 'Length':
      return Fn.length(go(t.term) as Pred.Term<string>)
    case 'Add':
      return Fn.add(go(t.term) as Pred.Term<number>, t.value)
    case 'Coalesce':
      return Fn.coalesce(go(t.term), t.value as Pred.Operand<unknown>)
    case 'RelCount':
      return $.count(t.association as never)
    case 'RelSum': {
      const c = t.column
      return $.sum(t.association as never, ((r: Refs) => r[c]) as never)
    }
    case 'ScalarCount': {
      const inner = subqueryOf(g, t.subquery, row, false)
      return Fn.scalar(Query.select(() => ({ n: Fn.count() }))(inner as LooseQuery) as never)
    }
    case 'Count':
      return Fn.count()
    case 'CountOf':
      return Fn.count(go(t.term))
    case 'Sum':
      return Fn.sum(go(t.term) as Pred.Term<number>)
    case 'Min':
      return Fn.min(go(t.term))
    case 'Max':
      return Fn.max(go(t.term))
    case 'SumOfCount':
      return Fn.sum(Fn.count())
  }
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
  for (const j of spec.joins) q = step(Query.join(j.association as never, j.kind), q)
  for (const w of spec.where)
    q = step(
      Query.where((row: Refs, $: Scope) => toPred(w, row, $)),
      q,
    )
  if (spec.refused === 'aggregateInWhere')
    q = step(
      Query.where(() => Pred.gt(Fn.count(), 0)),
      q,
    )
  for (const s of spec.subqueries)
    q = step(
      Query.where((row: Refs) => {
        const inner = subqueryOf(g, s.subquery, row, s._tag === 'In')
        return s._tag === 'In'
          ? Pred.in(row[s.column] as Pred.Term<unknown>, inner as never)
          : s._tag === 'Exists'
            ? Pred.exists(inner)
            : Pred.notExists(inner)
      }),
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
  if (spec.distinctOn.length > 0)
    q = step(
      Query.distinctOn((row: Refs, $: Scope) => spec.distinctOn.map(t => term(t)(row, $))),
      q,
    )
  q = step(
    Query.select((row: Refs, $: Scope) =>
      Object.fromEntries(spec.outputs.map((t, i) => [`o${i}`, term(t)(row, $)])),
    ),
    q,
  )
  if (spec.orderBy.length > 0)
    q = step(Query.orderBy(spec.orderBy.map(([d, i]) => [d, `o${i}`] as const) as never), q)
  if (spec.offset !== null) q = step(Query.offset(spec.offset), q)
  if (spec.limit !== null) q = step(Query.limit(spec.limit), q)
  return q
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
