/**
 * The type of a loaded row: the schema's row, plus one field per preloaded association.
 *
 * @since 0.1.0
 */
import type * as Model from '../schema/Model.js'

/**
 * @category model
 * @since 0.1.0
 */
// P is the preload spec; the preload issue gives it meaning.
export type Loaded<M extends Model.AnyModel, S extends string, P> = P extends unknown
  ? Model.Row<M, S>
  : never
