// The peer's read-only HTTP endpoint: GET /status (JSON), GET /metrics (Prometheus), GET /health.
// Nothing here changes the node. It listens on loopback unless told otherwise, answers only GET
// and HEAD, and is bounded: few connections, short timeouts, no request bodies read.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsText, type StatusSnapshot } from './status-report';

export const STATUS_CONNECTIONS_MAX = 16;
export const STATUS_REQUEST_TIMEOUT_MS = 5_000;

export interface StatusServer {
  /** `http://host:port` as bound (the port is the real one when 0 was asked). */
  readonly url: string;
  close(): Promise<void>;
}

export interface StatusServerDeps {
  snapshot(): Promise<StatusSnapshot>;
  /** Whether the node is up (for /health). */
  healthy(): boolean;
}

function send(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  type: string,
  body: string,
): void {
  response.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

export async function startStatusServer(
  address: { host: string; port: number },
  deps: StatusServerDeps,
): Promise<StatusServer> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      send(request, response, 405, 'text/plain', 'read-only: GET or HEAD\n');
      return;
    }
    const path = new URL(request.url ?? '/', 'http://status').pathname;
    if (path === '/health') {
      const healthy = deps.healthy();
      send(request, response, healthy ? 200 : 503, 'text/plain', healthy ? 'ok\n' : 'down\n');
      return;
    }
    if (path !== '/status' && path !== '/metrics') {
      send(request, response, 404, 'text/plain', 'not found: /status, /metrics, /health\n');
      return;
    }
    deps.snapshot().then(
      (snapshot) =>
        path === '/status'
          ? send(request, response, 200, 'application/json', `${JSON.stringify(snapshot)}\n`)
          : send(request, response, 200, 'text/plain; version=0.0.4', metricsText(snapshot)),
      (error: unknown) =>
        send(request, response, 500, 'text/plain', `${(error as Error).message}\n`),
    );
  });
  server.maxConnections = STATUS_CONNECTIONS_MAX;
  server.requestTimeout = STATUS_REQUEST_TIMEOUT_MS;
  server.headersTimeout = STATUS_REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = STATUS_REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
