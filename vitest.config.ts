import { defineConfig } from 'vitest/config';

// Real ffmpeg and ONNX sessions run in these tests: allow generous timeouts, and keep to 2 workers (CI has 2 cores).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // The default console report, plus a JSON summary that .ci/run turns into one plain closing line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest.json' },
  },
});
