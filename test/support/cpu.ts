// Time bounds in tests that guard against super-linear work (a quadratic scan, exponential
// backtracking) read this process's CPU time, not the wall clock: on a machine running other work the
// wall clock of a linear evaluation can pass any bound, while its CPU time stays what the code costs.
// No vitest import here, so any test can use it.

/** A stopwatch of this process's CPU time (user + system), in milliseconds. */
export const cpuClock = (): (() => number) => {
  const start = process.cpuUsage()
  return () => {
    const used = process.cpuUsage(start)
    return (used.user + used.system) / 1000
  }
}
