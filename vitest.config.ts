import { defineConfig } from 'vitest/config';

/**
 * Tests that start emulators, servers or processes, or use the native LMDB store: each file in its own
 * process. Every other test is a unit test: threads sharing their module cache (`isolate: false`), so
 * a unit test must not rely on fresh module state (or reset it with `vi.resetModules`).
 */
const INTEGRATION = [
  'test/cli/serve.test.ts',
  'test/cli/serve-lifecycle.test.ts',
  'test/cli/smoke.test.ts',
  'test/cli/import-items.test.ts',
  'test/cli/generate-config.test.ts',
  'test/compat/**/*.test.ts',
  'test/connectors/**/*.test.ts',
  // DuckDB is a native module; the end-to-end test serves the app.
  'test/experiments/athena-readout.test.ts',
  'test/experiments/athena-sql.test.ts',
  'test/experiments/end-to-end.test.ts',
  'test/control-plane/load-item-metadata/emulators.test.ts',
  'test/control-plane/sync-dynamodb-tables/dynalite.test.ts',
  'test/data-plane/app.test.ts',
  'test/data-plane/auth/auth.test.ts',
  'test/data-plane/events/builtin-learning.test.ts',
  'test/data-plane/events/dynamodb-ledger.test.ts',
  'test/data-plane/events/route.test.ts',
  'test/data-plane/item-metadata/**/*.test.ts',
  'test/data-plane/lambda.test.ts',
  'test/data-plane/node/**/*.test.ts',
  'test/data-plane/origins/http-limits.test.ts',
  'test/data-plane/origins/personalize.test.ts',
  'test/data-plane/personalize-api/**/*.test.ts',
  'test/data-plane/origins/request-faults.test.ts',
  'test/fuzz/**/*.test.ts',
  // The local Lambda runtime: real CDK bundling, emulators and child processes.
  'test/lambda-runtime/**/*.test.ts',
  // CDK's local bundling hands process.stdout to a child process, which a worker thread cannot do.
  'test/infra/data-plane-bundle.test.ts',
  'test/samples/**/*.test.ts',
  'test/state-machines/**/*.test.ts',
];
/** CDK synth without bundling: threads sharing one loaded aws-cdk-lib. */
const INFRA = ['test/infra/**/*.test.ts'];
/** Headless Chromium against a real `p13n serve`. */
const BROWSER = ['test/cli/serve-embedded-default.test.ts', 'test/experiments/dashboard.test.ts'];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...INTEGRATION, ...INFRA, ...BROWSER],
          pool: 'threads',
          isolate: false,
        },
      },
      { extends: true, test: { name: 'integration', include: INTEGRATION, pool: 'forks' } },
      {
        extends: true,
        test: { name: 'infra', include: INFRA, exclude: INTEGRATION, pool: 'threads', isolate: false },
      },
      { extends: true, test: { name: 'browser', include: BROWSER, pool: 'forks' } },
    ],
  },
});
