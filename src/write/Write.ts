/**
 * Writes as plans, in one namespace: records (`insert`, `insertAll` with `onConflict` upserts,
 * `update`, `delete` with `onDelete`), set-based writes (`updateAll`, `deleteAll`, `insertFrom`),
 * `build`, changes (`change`, `cast`, `putAssoc`, `castAssoc`, `toPlan`), and the
 * plan destructors (`toSql`, `run`, `runPure`).
 *
 * @since 0.1.0
 */
export { insert, type InsertTree, type TreeSpec, type Nested, type CheckTree } from './Insert.js'
export {
  insertAll,
  update,
  delete_ as delete,
  build,
  insertBuilt,
  type Built,
  type Insertable,
  type InsertOf,
  type DeleteOptions,
  type InsertOptions,
  type DirectName,
} from './Record.js'
export { updateAll, deleteAll, insertFrom, type SetOptions, type SetError, type Outputs } from './Set.js'
export { inc, type Accepts, type Increment, type Assigned, type Assignments, type SetSpec } from './Assign.js'
export { type OnConflict, type UpsertAction, type UpsertSet, type ColumnOf } from './Upsert.js'
export {
  change,
  changeOfTree,
  cast,
  putAssoc,
  castAssoc,
  toPlan,
  type Permit,
  type ValidName,
  type ValidPermit,
  type ValidAssocPermit,
  type PermitProblems,
  type PermitSpec,
  type Change,
  type AssocChange,
  type Entry,
  type PutOptions,
} from './Change.js'
export {
  make,
  toSql,
  run,
  runPure,
  type Plan,
  type Step,
  type Output,
  type PlanError,
  type Environment,
  type Written,
  type WrittenAssociation,
  type PureOptions,
  type PureResult,
} from './Plan.js'
export { statementToSql } from '../sql/Sql.js'
export type { WriteError, WriteErrorCode, FieldError } from '../error/WriteError.js'
