// `npm start` after the build: the relay and the app server in one process (HTTPS and wss when
// given a certificate). Environment: see ./config.ts.
import './polyfill';
import { loadOrCreateRelayKey } from '../relay/key';
import { startRelay } from '../relay/relay';
import { serverConfig, ServerConfigError, type ServerConfig } from './config';
import { relayJson } from './relay-json';
import { startStaticServer } from './static-server';
import { TurnConfigError } from './turn-credentials';

function loadConfig(): ServerConfig {
  try {
    const config = serverConfig(process.env);
    // A bad TTL is found now rather than at the first page's request.
    if (config.turnSecret !== undefined) relayJson({ ...config, relays: () => [] });
    return config;
  } catch (error) {
    if (!(error instanceof ServerConfigError || error instanceof TurnConfigError)) throw error;
    console.error(`ledger server: ${error.message}`);
    process.exit(2);
  }
}

const config = loadConfig();

const relay = await startRelay({
  listen: config.relayListen,
  announce: config.relayAnnounce,
  privateKey: await loadOrCreateRelayKey(config.relayKeyFile),
  limits: config.relayLimits,
  ...(config.tls ? { tls: config.tls } : {}),
});
const relays = () => [...relay.multiaddrs(), ...config.extraRelays];
const server = await startStaticServer({
  root: config.buildDir,
  host: config.host,
  port: config.port,
  networkConfig: () => relayJson({ ...config, relays }),
  allowedOrigins: config.allowedOrigins,
  ...(config.tls ? { tls: config.tls } : {}),
});
const scheme = config.tls ? 'https' : 'http';
const address = server.server.address();
const boundPort = typeof address === 'object' && address ? address.port : config.port;
const defaultPort = boundPort === (config.tls ? 443 : 80);
const publicHost = config.publicHost.includes(':') ? `[${config.publicHost}]` : config.publicHost;

// The URL is what a person needs: first.
console.log(`app    ${scheme}://${publicHost}${defaultPort ? '' : `:${boundPort}`}`);
console.log(`relay  ${relay.multiaddrs().join(' ')}`);
if (config.turnUrls.length) console.log(`turn   ${config.turnUrls.join(' ')}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void Promise.all([server.close(), relay.stop()]).finally(() => process.exit(0));
  });
}
