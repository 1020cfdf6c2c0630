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

/**
 * The node chunk (libp2p, gossipsub, noise, the ledger core) is loaded lazily after the first
 * paint; split by library family so no chunk is over the 500 kB warning and a change in the
 * app's own code does not invalidate the cached libraries.
 */
const NODE_LIBRARY_CHUNKS: { name: string; test: RegExp }[] = [
  { name: 'gossipsub', test: /node_modules[\\/]@chainsafe[\\/]libp2p-gossipsub/ },
  {
    name: 'libp2p-transports',
    test: /node_modules[\\/]@(libp2p[\\/](webrtc|websockets|circuit-relay-v2)|chainsafe)/,
  },
  {
    name: 'libp2p',
    test: /node_modules[\\/](libp2p|@libp2p|@multiformats|multiformats|it-|uint8arr)/,
  },
  { name: 'crypto', test: /node_modules[\\/](@noble|asn1js|pkijs|@peculiar)/ },
];

export default defineConfig({
  plugins: [sveltekit()],
  build: {
    rolldownOptions: {
      output: { codeSplitting: { groups: NODE_LIBRARY_CHUNKS } },
      // SvelteKit's own writeBundle (the static adapter) dominates a build by design; the
      // timing report it triggers is noise, not something to act on.
      checks: { bundlerTimings: false },
    },
  },
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
