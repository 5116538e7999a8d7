import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Long property runs (FC_NUM_RUNS=10000) take minutes per property.
    testTimeout: process.env['FC_NUM_RUNS'] === undefined ? 60_000 : 3_600_000,
    hookTimeout: 120_000,
    // Two cores: more workers only contend (and each embedded database is a PostgreSQL of its own).
    maxWorkers: 2,
    // Files share their worker's module graph instead of re-importing src/, fast-check, postgres.js and
    // PGlite per file: measured on this 2-core machine (quiet), the whole suite's vitest phase took
    // 166 s instead of 238 s on the server database and 215 s instead of 359 s on the embedded default,
    // all 1,437 tests passing both ways. Each file still gets its own database (schema or PGlite copy);
    // a file that changes process-wide state (globals, listeners) must put it back when it ends.
    isolate: false,
    // Without DATABASE_URL: one initdb for the run, a copy of its data directory per file.
    globalSetup: ['test/support/global.ts'],
    typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'] },
  },
})
