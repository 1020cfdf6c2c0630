// What a page learns at run time about the network around it, from `/relay.json` next to the
// app: the relays to dial and the STUN/TURN servers for WebRTC. TURN credentials in it are
// short-lived (src/server/turn-credentials.ts), so a long-lived tab fetches the file again
// before they expire. A static host that cannot mint credentials serves a file that only says
// where the live one is: `{"configUrl": "https://relay.example.org/relay.json"}` (one hop).
import type { IceServer } from './network';

/** The published file: every field optional on the wire, filled with defaults here. */
export interface PublishedNetworkConfig {
  relays: string[];
  /** STUN/TURN servers for WebRTC across real networks. */
  iceServers: IceServer[];
  /** When the TURN credentials in `iceServers` stop working (Unix ms); absent: they do not. */
  iceServersExpireAtMs?: number;
}

export const NO_NETWORK_CONFIG: PublishedNetworkConfig = { relays: [], iceServers: [] };
/** Fetch fresh credentials this long before the old ones expire. */
export const ICE_REFRESH_MARGIN_MS = 5 * 60_000;
export const ICE_SERVERS_MAX = 8;

function isIceServer(value: unknown): value is IceServer {
  if (typeof value !== 'object' || value === null) return false;
  const { urls, username, credential } = value as Record<string, unknown>;
  const urlsOk =
    typeof urls === 'string' ||
    (Array.isArray(urls) && urls.every((url) => typeof url === 'string'));
  return (
    urlsOk &&
    (username === undefined || typeof username === 'string') &&
    (credential === undefined || typeof credential === 'string')
  );
}

export function parseNetworkConfig(body: unknown): PublishedNetworkConfig & { configUrl?: string } {
  if (typeof body !== 'object' || body === null) return NO_NETWORK_CONFIG;
  const fields = body as Record<string, unknown>;
  const relays = Array.isArray(fields.relays)
    ? fields.relays.filter((r): r is string => typeof r === 'string')
    : [];
  const iceServers = Array.isArray(fields.iceServers)
    ? fields.iceServers.filter(isIceServer).slice(0, ICE_SERVERS_MAX)
    : [];
  const expires = fields.iceServersExpireAtMs;
  return {
    relays,
    iceServers,
    ...(typeof expires === 'number' && Number.isFinite(expires)
      ? { iceServersExpireAtMs: expires }
      : {}),
    ...(typeof fields.configUrl === 'string' ? { configUrl: fields.configUrl } : {}),
  };
}

export interface FetchConfigOptions {
  signal?: AbortSignal;
  /** The page's fetch unless a test passes another. */
  fetch?: typeof fetch;
}

async function fetchJson(url: string, options: FetchConfigOptions): Promise<unknown> {
  const get = options.fetch ?? fetch;
  const response = await get(url, {
    cache: 'no-store',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return response.ok ? response.json() : null;
}

/** The relays and ICE servers published next to the app; none of either if there is no file. */
export async function fetchNetworkConfig(
  url = '/relay.json',
  options: FetchConfigOptions = {},
): Promise<PublishedNetworkConfig> {
  const { configUrl, ...config } = parseNetworkConfig(await fetchJson(url, options));
  if (configUrl === undefined) return config;
  // One hop: the live file's own configUrl, if any, is ignored.
  const { configUrl: _ignored, ...live } = parseNetworkConfig(await fetchJson(configUrl, options));
  return live;
}

/**
 * The ICE servers to use for the next WebRTC connection: the published ones, fetched again
 * (at most one fetch at a time) once their credentials are within ICE_REFRESH_MARGIN_MS of
 * expiring. If the fetch fails the old ones are kept: STUN still works with them.
 */
export function liveIceServers(
  initial: PublishedNetworkConfig,
  deps: { refetch?: () => Promise<PublishedNetworkConfig>; nowMs?: () => number } = {},
): () => Promise<IceServer[]> {
  const refetch = deps.refetch ?? (() => fetchNetworkConfig());
  const nowMs = deps.nowMs ?? (() => Date.now());
  let current = initial;
  let pending: Promise<void> | null = null;
  return async () => {
    const expiresAt = current.iceServersExpireAtMs;
    if (expiresAt !== undefined && nowMs() >= expiresAt - ICE_REFRESH_MARGIN_MS) {
      pending ??= refetch()
        .then((fresh) => {
          if (fresh.iceServers.length > 0) current = fresh;
        })
        .catch(() => undefined)
        .finally(() => {
          pending = null;
        });
      await pending;
    }
    return current.iceServers;
  };
}
