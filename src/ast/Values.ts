/**
 * What the write constructors know of the inserts they build, kept so that nothing has to look at a
 * bulk insert's values again: an insert recorded here holds, in every row, a parameter for each value
 * and no plan reference. Internal: only code that built every parameter of the rows itself records an
 * insert (see `Record.insertStatements`); `Write.valuesOnly` answers for any other by looking.
 *
 * @since 0.2.0
 */

// The inserts known to hold parameters only (by identity), and those looked at with the answer.
const known = new WeakMap<object, boolean>()

/**
 * Records that a statement's rows hold a parameter for each value and no plan reference.
 *
 * @category constructors
 * @since 0.2.0
 */
export const record = <A extends object>(statement: A): A => {
  known.set(statement, true)
  return statement
}

/**
 * What was recorded or found of a statement (undefined: not known yet).
 *
 * @category utils
 * @since 0.2.0
 */
export const recorded = (statement: object): boolean | undefined => known.get(statement)

/**
 * Keeps the answer found by looking at a statement.
 *
 * @category utils
 * @since 0.2.0
 */
export const found = (statement: object, answer: boolean): boolean => {
  known.set(statement, answer)
  return answer
}
