import { sveltekit } from '@sveltejs/kit/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const lib = fileURLToPath(new URL('./src/lib', import.meta.url));
const polyfill = fileURLToPath(new URL('./src/server/polyfill.ts', import.meta.url));

// Test projects, each run by scripts/test.mjs in its own step:
//   unit        pure core, consensus, stores (in-memory and fake-indexeddb), property tests
//   sim         the deterministic consensus simulator sweep
//   integration libp2p nodes on real loopback sockets
//   browser     real Chromium driven by playwright-core (IndexedDB, WebRTC, the app)
//   netbed      devices in a simulated internet of network namespaces (root only, test/netbed/)
function project(
  name: string,
  include: string[],
  timeoutMs: number,
  workers: { oneFileAtATime?: boolean; maxWorkers?: number } = {},
) {
  return {
    resolve: { alias: { $lib: lib } },
    test: {
      name,
      include,
      environment: 'node',
      setupFiles: [polyfill],
      testTimeout: timeoutMs,
      hookTimeout: timeoutMs,
      // Socket and browser tests share the machine's two cores: one file at a time.
      fileParallelism: workers.oneFileAtATime !== true,
      ...(workers.maxWorkers ? { maxWorkers: workers.maxWorkers } : {}),
    },
  };
}

export default defineConfig({
  plugins: [sveltekit()],
  test: {
    projects: [
      project('unit', ['test/unit/**/*.test.ts', 'test/property/**/*.test.ts'], 30_000),
      // The sweep is CPU-bound JavaScript split over files: one worker per core (vitest's default
      // leaves one core idle).
      project('sim', ['test/sim/**/*.test.ts'], 900_000, { maxWorkers: 2 }),
      project('integration', ['test/integration/**/*.test.ts'], 120_000, { oneFileAtATime: true }),
      project('browser', ['test/browser/**/*.test.ts'], 240_000, { oneFileAtATime: true }),
      project('netbed', ['test/netbed/**/*.test.ts'], 300_000, { oneFileAtATime: true }),
    ],
  },
});
