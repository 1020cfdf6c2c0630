// Run a relay on its own: `tsx src/relay/main.ts`. Environment:
//   RELAY_LISTEN    comma-separated listen multiaddrs (default /ip4/127.0.0.1/tcp/9090/ws)
//   RELAY_ANNOUNCE  comma-separated public multiaddrs (e.g. /dns4/relay.example/tcp/443/wss)
//   RELAY_KEY_FILE  where the relay's key lives (default node_modules/.cache/ledger-relay/key)
import '../server/polyfill';
import { loadOrCreateRelayKey } from './key';
import { startRelay } from './relay';

export const DEFAULT_RELAY_LISTEN = '/ip4/127.0.0.1/tcp/9090/ws';
export const DEFAULT_RELAY_KEY_FILE = 'node_modules/.cache/ledger-relay/key';

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const relay = await startRelay({
  listen: list(process.env.RELAY_LISTEN ?? DEFAULT_RELAY_LISTEN),
  announce: list(process.env.RELAY_ANNOUNCE),
  privateKey: await loadOrCreateRelayKey(process.env.RELAY_KEY_FILE ?? DEFAULT_RELAY_KEY_FILE),
});
console.log(JSON.stringify({ relay: relay.multiaddrs() }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void relay.stop().then(() => process.exit(0));
  });
}
