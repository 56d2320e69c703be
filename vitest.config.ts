// Four projects, run in this order by `npm test`: unit (fixtures, fixed clock, no Docker),
// integration (the real private dockerd, real packets, real Prometheus), attacks (the attack
// catalogue against the real agent), e2e (a real browser).
// Each first makes the compiled build (test/build-setup.ts) that bin/shipwatch.js runs.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          globalSetup: ['test/build-setup.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/build-setup.ts', 'test/integration/global-setup.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Tests share one dockerd and the host's network stack: one file at a time keeps
          // captures, iptables rules and timings honest.
          fileParallelism: false,
        },
      },
      {
        test: {
          // The attack catalogue (test/attacks/): one agent, every technique against it at once.
          name: 'attacks',
          include: ['test/attacks/**/*.test.ts'],
          globalSetup: ['test/build-setup.ts', 'test/integration/global-setup.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/build-setup.ts', 'test/integration/global-setup.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
