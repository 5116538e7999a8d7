import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers only contend (and each embedded database is a PostgreSQL of its own).
    maxWorkers: 2,
    typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'] },
  },
})
