import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Long property runs (FC_NUM_RUNS=10000) take minutes per property.
    testTimeout: process.env['FC_NUM_RUNS'] === undefined ? 60_000 : 3_600_000,
    hookTimeout: 120_000,
    // Two cores: more workers only contend (and each embedded database is a PostgreSQL of its own).
    maxWorkers: 2,
    // Without DATABASE_URL: one initdb for the run, a copy of its data directory per file.
    globalSetup: ['test/support/global.ts'],
    typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'] },
  },
})
