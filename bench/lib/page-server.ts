// Serves bench pages with Vite on 127.0.0.1, the way test/browser/support/harness-server.ts
// serves the test pages: a page `foo.html` under `root` loads `foo.ts`, whose imports (npm
// packages, `$lib/...`) Vite resolves.
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const lib = fileURLToPath(new URL('../../src/lib', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

export async function startPageServer(root: string, entries: string[]): Promise<PageServer> {
  const server = await createServer({
    root,
    configFile: false,
    logLevel: 'warn',
    resolve: { alias: { $lib: lib } },
    server: {
      host: '127.0.0.1',
      port: 0,
      strictPort: false,
      // No HMR: a dependency re-optimisation would reload the page mid-measurement.
      hmr: false,
      fs: { allow: [repo] },
    },
    optimizeDeps: { entries },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('bench page server has no port');
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}
