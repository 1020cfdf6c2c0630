// Run a relay on its own: `tsx src/relay/main.ts`. Environment:
//   RELAY_LISTEN    comma-separated listen multiaddrs (default /ip4/127.0.0.1/tcp/9090/ws)
//   RELAY_ANNOUNCE  comma-separated public multiaddrs (e.g. /dns4/relay.example/tcp/443/wss)
//   RELAY_KEY_FILE  where the relay's key lives (default node_modules/.cache/ledger-relay/key)
//   TLS_CERT_FILE / TLS_KEY_FILE  PEM certificate and key for '/tls/ws' listen addresses (wss)
//   RELAY_CONNECTIONS_PER_ADDRESS_MAX / RELAY_RESERVATIONS_PER_ADDRESS_MAX  (see server/config.ts)
import '../server/polyfill';
import { DEFAULT_RELAY_KEY_FILE, list, relayLimits, tlsFromEnvironment } from '../server/config';
import { loadOrCreateRelayKey } from './key';
import { startRelay } from './relay';

export const DEFAULT_RELAY_LISTEN = '/ip4/127.0.0.1/tcp/9090/ws';

const relay = await startRelay({
  listen: list(process.env.RELAY_LISTEN ?? DEFAULT_RELAY_LISTEN),
  announce: list(process.env.RELAY_ANNOUNCE),
  privateKey: await loadOrCreateRelayKey(process.env.RELAY_KEY_FILE ?? DEFAULT_RELAY_KEY_FILE),
  tls: tlsFromEnvironment(process.env),
  limits: relayLimits(process.env),
});
console.log(JSON.stringify({ relay: relay.multiaddrs() }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void relay.stop().then(() => process.exit(0));
  });
}
