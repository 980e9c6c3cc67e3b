import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests bind real ports and spawn processes; keep the 2-core machine calm.
    maxWorkers: 2,
    // Feed processes the tests start keep history in memory, so concurrent tests never share
    // (or continue) a data folder; a test that persists passes its own --data-dir.
    env: { TICKWIRE_NO_PERSIST: '1' },
  },
});
