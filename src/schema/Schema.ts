/**
 * The schema vocabulary in one namespace: tables, association combinators, where-filter values and
 * `model`.
 *
 * @since 0.1.0
 */
export { table, type Table, type RowOf, type TableOptions, type Columns } from './Table.js'
export {
  hasMany,
  hasOne,
  belongsTo,
  manyToMany,
  through,
  throughOne,
  self,
  notNull,
  isIn,
  fragment,
  withArgs,
  type Association,
  type HasMany,
  type HasOne,
  type BelongsTo,
  type ManyToMany,
  type Through,
  type HasManyOptions,
  type HasOneOptions,
  type BelongsToOptions,
  type ManyToManyOptions,
  type ThroughOptions,
  type Where,
  type WhereValue,
  type OrderItem,
  type Direction,
  direction,
  directionNames,
  type OnDelete,
  type OnReplace,
  type Defaults,
  type Fields,
} from './Association.js'
export {
  model,
  modelOrThrow,
  type Model,
  type AnyModel,
  type Row,
  type SchemaName,
  type AssociationName,
  type Target,
  type Cardinality,
  type Resolved,
  type ResolvedDirect,
  type ResolvedThrough,
} from './Model.js'
