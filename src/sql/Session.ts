/**
 * Session-control statements the interpreters send themselves (not compiled from an AST): kept here
 * so that every piece of SQL text the library produces lives under `sql/`.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Ends whatever transaction a session left open: the embedded engine sends it for a client that
 * disconnects inside one, so the next client starts clean.
 *
 * @category constructors
 * @since 0.1.0
 */
export const rollback = 'rollback'
