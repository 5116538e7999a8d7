/**
 * The query AST, for interpreters and tools: expressions and selects.
 *
 * @since 0.1.0
 */
export * as Expr from './Expr.js'
export * as Select from './Select.js'
export * as Write from './Write.js'
