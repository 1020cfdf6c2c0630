// The real SvelteKit app under the Vite dev server (the project's vite.config.ts), and the
// in-memory preview node bundled into one script a page can run before the app boots.
import { build, createServer, type Rollup, type ViteDevServer } from 'vite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../../..', import.meta.url));
const previewEntry = fileURLToPath(new URL('../../support/preview-entry.ts', import.meta.url));

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

export async function startAppServer(): Promise<AppServer> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'ledger-ui-vite-'));
  const server: ViteDevServer = await createServer({
    // SvelteKit sets the root itself (the working directory, which is the project root).
    configFile: `${projectRoot}/vite.config.ts`,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
    // No dependency discovery: a dependency found while a test clicks through would re-optimise
    // and answer the page's next import with "504 Outdated Optimize Dep" (there is no HMR to
    // reload it, and a reload would lose the in-memory node anyway). The UI needs only one
    // CommonJS package pre-bundled; the rest (svelte, kit) is ESM served as is. The real node
    // (libp2p) is never imported: the preview device replaces it.
    optimizeDeps: { noDiscovery: true, include: ['qrcode'] },
    // Its own dependency cache: other dev servers of this tree (other tests, `npm run dev`)
    // rewrite node_modules/.vite and would make this server's optimised files outdated.
    cacheDir,
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('app server has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/** test/support/preview-entry.ts as one classic script (IIFE) for `page.addInitScript`. */
export async function bundlePreviewNode(): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: false,
      lib: { entry: previewEntry, formats: ['iife'], name: 'ledgerPreview', fileName: 'preview' },
    },
  });
  const results = (Array.isArray(output) ? output : [output]) as Rollup.RollupOutput[];
  const chunk = results.flatMap((r) => r.output).find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('preview bundle produced no script');
  return chunk.code;
}
