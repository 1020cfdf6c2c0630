// Serves test pages from test/browser/pages/ with Vite, so a page can import the project's real
// modules (src/lib/...) as the app would, and tests drive them with page.evaluate().
// A page `foo.html` that loads `foo.ts` is at `${url}/foo.html`; its module may expose an API
// on `window` for the test to call.
import { build, createServer, type ViteDevServer } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../pages', import.meta.url));
const lib = fileURLToPath(new URL('../../../src/lib', import.meta.url));

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Served as /relay.json, as the real server does next to the app. */
  relays?: string[];
}

export async function startHarnessServer(options: HarnessOptions = {}): Promise<HarnessServer> {
  const relayJson = JSON.stringify({ relays: options.relays ?? [] });
  const server: ViteDevServer = await createServer({
    plugins: [
      {
        name: 'relay-json',
        configureServer(dev) {
          dev.middlewares.use('/relay.json', (_request, response) => {
            response.setHeader('content-type', 'application/json');
            response.end(relayJson);
          });
        },
      },
    ],
    root,
    configFile: false,
    logLevel: 'warn',
    resolve: { alias: { $lib: lib } },
    server: {
      host: '127.0.0.1',
      port: 0,
      strictPort: false,
      // No HMR: a dependency re-optimisation mid-test would otherwise reload every open page.
      hmr: false,
      fs: { allow: [fileURLToPath(new URL('../../..', import.meta.url))] },
    },
    optimizeDeps: { noDiscovery: false },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('harness server has no port');
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}

/**
 * The same pages built into static files in `outDir` (e.g. ['node.html']), for a server that is
 * not Vite: the testbed's public host serves them with the real static server, over HTTPS.
 */
export async function buildHarnessPages(outDir: string, pages: string[]): Promise<void> {
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    resolve: { alias: { $lib: lib } },
    build: {
      outDir,
      emptyOutDir: true,
      // One page bundles the whole node (libp2p included): big by design.
      chunkSizeWarningLimit: 4_000,
      rollupOptions: { input: pages.map((page) => `${root}/${page}`) },
    },
  });
}
