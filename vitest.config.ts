import { defineConfig } from 'vitest/config';

// Three layers (docs/ARCHITECTURE): unit (no root, no network beyond 127.0.0.0/8),
// e2e (the CLI against the loopback lab) and netns (root; real multicast in namespaces).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // A hang guard, not a speed target: loading the whole fingerprint library and vendor
          // registry takes about a second on an idle machine and several under a loaded one.
          testTimeout: 30_000,
          include: [
            'test/unit/**/*.test.ts',
            'test/probes/**/*.test.ts',
            'test/fingerprints.test.ts',
            'test/accuracy/**/*.test.ts',
          ],
        },
      },
      {
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        test: {
          name: 'netns',
          include: ['test/netns/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
