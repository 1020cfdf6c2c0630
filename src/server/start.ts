// `npm start` after the build: the relay and the static app server in one process.
// Environment: HOST (default 127.0.0.1), PORT (default 8080), RELAY_PORT (default PORT + 1),
// RELAY_LISTEN / RELAY_ANNOUNCE (comma-separated multiaddrs, override RELAY_PORT),
// RELAY_KEY_FILE (the relay's persistent key), BUILD_DIR (default build).
import './polyfill';
import { loadOrCreateRelayKey } from '../relay/key';
import { startRelay } from '../relay/relay';
import { startStaticServer } from './static-server';

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8080);
const relayPort = Number(process.env.RELAY_PORT ?? port + 1);
const ipProtocol = host.includes(':') ? 'ip6' : 'ip4';
const relayListen = list(process.env.RELAY_LISTEN);

const relay = await startRelay({
  listen: relayListen.length ? relayListen : [`/${ipProtocol}/${host}/tcp/${relayPort}/ws`],
  announce: list(process.env.RELAY_ANNOUNCE),
  privateKey: await loadOrCreateRelayKey(
    process.env.RELAY_KEY_FILE ?? 'node_modules/.cache/ledger-relay/key',
  ),
});
const server = await startStaticServer({
  root: process.env.BUILD_DIR ?? 'build',
  host,
  port,
  relays: () => relay.multiaddrs(),
});

// The URL is what a person needs: first.
console.log(`app    ${server.url}`);
console.log(`relay  ${relay.multiaddrs().join(' ')}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void Promise.all([server.close(), relay.stop()]).finally(() => process.exit(0));
  });
}
