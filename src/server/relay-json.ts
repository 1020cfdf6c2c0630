// The body of `/relay.json`, made fresh for every request: the relay's multiaddrs, the STUN
// servers, and the TURN servers with a credential minted now that expires on its own. The
// shared TURN secret stays in this process: only HMACs of it leave (turn-credentials.ts).
import type { PublishedNetworkConfig } from '../lib/net/network-config';
import { turnCredential } from './turn-credentials';

export interface RelayJsonOptions {
  relays: () => string[];
  /** e.g. ['stun:turn.example.org:3478'] */
  stunUrls: string[];
  /** e.g. ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349?transport=tcp'] */
  turnUrls: string[];
  /** coturn's static-auth-secret; without it no TURN server is published. */
  turnSecret?: string;
  turnTtlS: number;
  nowMs?: () => number;
}

export function relayJson(options: RelayJsonOptions): PublishedNetworkConfig {
  const config: PublishedNetworkConfig = { relays: options.relays(), iceServers: [] };
  if (options.stunUrls.length > 0) config.iceServers.push({ urls: options.stunUrls });
  if (options.turnUrls.length > 0 && options.turnSecret !== undefined) {
    const { username, credential, expiresAtMs } = turnCredential(options.turnSecret, {
      nowMs: (options.nowMs ?? Date.now)(),
      ttlS: options.turnTtlS,
    });
    config.iceServers.push({ urls: options.turnUrls, username, credential });
    config.iceServersExpireAtMs = expiresAtMs;
  }
  return config;
}
