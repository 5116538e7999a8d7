/**
 * `quiver-sql/testing`: fast-check arbitraries for models, rows and queries, to property-test
 * association semantics (for example: the memory interpreter against PostgreSQL).
 *
 * @since 0.1.0
 * @module quiver-sql/testing
 */
export * from './Arbitrary.js'
