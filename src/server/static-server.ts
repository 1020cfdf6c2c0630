// Serves the built SPA (build/) over HTTP, or HTTPS when given a certificate: files with their
// MIME type, index.html for every other path (client-side routing), long-lived caching only for
// content-hashed assets, and `/relay.json` (relays and STUN/TURN servers with fresh credentials,
// known only at run time) next to the app; other origins may read it when listed (a copy of the
// app on a static host elsewhere).
//
// Security headers on every response (security-headers.ts): nosniff, no referrer, and on pages
// the build's own Content-Security-Policy plus frame-ancestors 'none' (no site may frame the
// app: a framed "Approve" button could be clicked through).
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { PublishedNetworkConfig } from '../lib/net/network-config';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pageHeaders, SECURITY_HEADERS } from './security-headers';

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** SvelteKit puts content-hashed files here: safe to cache forever. */
const IMMUTABLE_PREFIX = '/_app/immutable/';

export interface StaticServerOptions {
  root: string;
  host: string;
  port: number;
  /** Current relay multiaddrs for /relay.json (when there is no `networkConfig`). */
  relays?: () => string[];
  /** The whole /relay.json body, made per request (fresh TURN credentials). */
  networkConfig?: () => PublishedNetworkConfig;
  /** PEM certificate chain and key: serve HTTPS (pages need it for WebCrypto off loopback). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Origins allowed to read /relay.json from a page of theirs (CORS), e.g. a static host. */
  allowedOrigins?: string[];
}

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

function cacheControl(path: string): string {
  if (path.startsWith(IMMUTABLE_PREFIX)) return 'public, max-age=31536000, immutable';
  // index.html, the service worker and version.json must be revalidated on every load.
  return 'no-cache';
}

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(options.root);
  const networkConfig =
    options.networkConfig ?? (() => ({ relays: options.relays?.() ?? [], iceServers: [] }));
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (url.pathname === '/relay.json') {
        const body = JSON.stringify(networkConfig());
        const origin = request.headers.origin;
        response.writeHead(200, {
          'content-type': MIME_TYPES['.json'],
          'cache-control': 'no-store',
          ...(origin && allowedOrigins.has(origin)
            ? { 'access-control-allow-origin': origin, vary: 'origin' }
            : {}),
        });
        response.end(request.method === 'HEAD' ? undefined : body);
        return;
      }
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        response.writeHead(400).end();
        return;
      }
      const file = resolve(join(root, normalize(path)));
      const inside = file === root || file.startsWith(root + sep);
      let target = join(root, 'index.html');
      let cache = 'no-cache';
      if (inside) {
        const info = await stat(file).catch(() => null);
        if (info?.isFile()) {
          target = file;
          cache = cacheControl(path);
        } else if (extname(path) !== '' && path.startsWith('/_app/')) {
          // A missing hashed asset is a 404, not the app shell (which would parse as JS).
          response.writeHead(404, { 'content-type': MIME_TYPES['.txt'] }).end('not found');
          return;
        }
      }
      const type = MIME_TYPES[extname(target)] ?? 'application/octet-stream';
      if (extname(target) === '.html') {
        // Pages are small: read whole, to send the policy their own <meta> tag states.
        const page = await readFile(target).catch(() => null);
        if (page === null) {
          response.writeHead(404, { 'content-type': MIME_TYPES['.txt'] }).end('not found');
          return;
        }
        response.writeHead(200, {
          'content-type': type,
          'cache-control': cache,
          ...pageHeaders(page.toString('utf8')),
        });
        response.end(request.method === 'HEAD' ? undefined : page);
        return;
      }
      response.writeHead(200, { 'content-type': type, 'cache-control': cache });
      if (request.method === 'HEAD') {
        response.end();
        return;
      }
      createReadStream(target)
        .on('error', () => response.destroy())
        .pipe(response);
    })();
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle)
    : createServer(handle);
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolvePromise());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `${options.tls ? 'https' : 'http'}://${options.host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
