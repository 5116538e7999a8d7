/**
 * The query value (its model, re-exported by `Query`) and its brand, shared by `Query` and `Prepared`
 * (the brand is internal: not exported from the package). A query is recognised by identity, as a
 * value `make` built (a module-private set), never by its shape: every combinator builds its result
 * through `make`, and a spread of a query made elsewhere is not a query.
 *
 * @since 0.1.0
 */
import * as Select from '../ast/Select.js'
import type * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import type * as Model from '../schema/Model.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Named joined bindings of a query: join name -> schema.
 *
 * @category model
 * @since 0.1.0
 */
export type Joins = Readonly<Record<string, string>>

/**
 * @category model
 * @since 0.1.0
 */
export interface Binding {
  readonly alias: string
  readonly schema: string
}

/**
 * @category model
 * @since 0.1.0
 */
export interface Query<M extends Model.AnyModel, S extends string, P = {}, J extends Joins = {}> {
  readonly _tag: 'Query'
  readonly model: M
  readonly schema: S
  readonly select: Select.Select
  /** The next free binding number (`t0` is the root). */
  readonly aliases: number
  readonly joined: ReadonlyMap<string, Binding>
  /** The preload spec, kept as given (interpreted by the preload planner). */
  readonly preload: P
  readonly errors: ReadonlyArray<QueryError.QueryError>
  readonly _J?: J
}

/**
 * @category model
 * @since 0.1.0
 */
export type AnyQuery = Query<Model.AnyModel, string, unknown, Joins>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// Every query `make` built: a query is recognised by identity, which a spread (`{ ...q, select: junk
// }`), a prototype or a proxy of a real query does not carry.
const made = new WeakSet<object>()

/**
 * Brands and freezes a query; `fields` is a fresh object of the caller's.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <Q extends object>(fields: Q): Q => {
  const query = Object.freeze(fields)
  made.add(query)
  return query
}

/**
 * A query that is refused with `error` when it is compiled or run. Its schema may be anything an
 * untyped caller passed: kept as text, rendered without throwing.
 *
 * @category constructors
 * @since 0.1.0
 */
export const invalid = (model: unknown, schema: unknown, error: QueryError.QueryError): AnyQuery => {
  const name = typeof schema === 'string' ? schema : show(schema)
  return make({
    _tag: 'Query' as const,
    model: model as AnyQuery['model'],
    schema: name,
    select: Select.create({ table: name, alias: 't0' }, []),
    aliases: 1,
    joined: new Map(),
    preload: {},
    errors: [error],
  })
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a value was built by `make`. Total: a proxy whose traps throw is not a query.
 *
 * @category utils
 * @since 0.1.0
 */
export const isQuery = (u: unknown): u is AnyQuery => typeof u === 'object' && u !== null && made.has(u)
