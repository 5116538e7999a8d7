/**
 * quiver-sql: functional, immutable query composition for TypeScript and PostgreSQL, with Ecto-grade
 * associations.
 *
 * @since 0.1.0
 * @module quiver-sql
 */
export * as Schema from './schema/Schema.js'
export * as Column from './schema/Column.js'
export * as Ddl from './sql/Ddl.js'
export * as Write from './write/Write.js'
export * as Query from './query/Query.js'
export * as Pred from './query/Pred.js'
export * as Fn from './query/Fn.js'
export * as Prepared from './query/Prepared.js'
export * as Preload from './run/Preload.js'
export * as Run from './run/Run.js'
export * as Pg from './interpreter/postgres/Postgres.js'
export * as Memory from './interpreter/memory/Memory.js'
export * as Sql from './sql/Sql.js'
export * as Ast from './ast/Ast.js'
export * as DbError from './error/DbError.js'
export type { Interpreter } from './run/Interpreter.js'
export type { Loaded } from './query/Loaded.js'
export type * from './error/Errors.js'
// Types that appear in the signatures of the namespaces above but are declared deeper, exported flat so
// that a user's declaration files can name them (TS2742 otherwise; test/package/declarations).
export type { CompiledQuery } from './sql/Compile.js'
export type { Select } from './ast/Select.js'
export type { Write as WriteStatement } from './ast/Write.js'
export type { Tables, Sequences } from './interpreter/memory/Write.js'
export type { PureOptions, PureResult } from './write/Plan.js'
