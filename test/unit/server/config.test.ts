import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { serverConfig, ServerConfigError } from '../../../src/server/config';

const dir = mkdtempSync(join(tmpdir(), 'server-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('serverConfig', () => {
  test('defaults: loopback, HTTP on 8080, relay ws on 8081, no ICE servers', () => {
    const config = serverConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      relayListen: ['/ip4/127.0.0.1/tcp/8081/ws'],
      relayAnnounce: [],
      stunUrls: [],
      turnUrls: [],
      buildDir: 'build',
    });
    expect(config.tls).toBeUndefined();
  });

  test('with a certificate: wss, announced under the public name', () => {
    const config = serverConfig({
      HOST: '0.0.0.0',
      PORT: '443',
      PUBLIC_HOST: 'ledger.example.org',
      TLS_CERT_FILE: file('cert.pem', 'CERT'),
      TLS_KEY_FILE: file('key.pem', 'KEY'),
      RELAY_PORT: '8443',
    });
    expect(config.tls?.cert.toString()).toBe('CERT');
    expect(config.relayListen).toEqual(['/ip4/0.0.0.0/tcp/8443/tls/ws']);
    expect(config.relayAnnounce).toEqual(['/dns4/ledger.example.org/tcp/8443/tls/ws']);
  });

  test('TURN: the secret comes from its file; TURN_URLS without one is an error', () => {
    const config = serverConfig({
      TURN_URLS: 'turn:a:3478?transport=udp, turns:a:5349?transport=tcp',
      TURN_SECRET_FILE: file('secret', 'an-ample-shared-secret\n'),
    });
    expect(config.turnSecret).toBe('an-ample-shared-secret');
    expect(config.turnUrls).toHaveLength(2);
    expect(() => serverConfig({ TURN_URLS: 'turn:a:3478' })).toThrow(ServerConfigError);
  });

  test('says what is wrong', () => {
    expect(() => serverConfig({ TLS_CERT_FILE: 'x.pem' })).toThrow(/both TLS_CERT_FILE/);
    expect(() => serverConfig({ PORT: 'http' })).toThrow(/PORT must be a port number/);
    expect(() =>
      serverConfig({ TLS_CERT_FILE: join(dir, 'missing'), TLS_KEY_FILE: join(dir, 'missing') }),
    ).toThrow(/cannot read the TLS certificate/);
    expect(() => serverConfig({ TURN_SECRET: 'short' })).toThrow(/at least 16/);
  });

  test('per-address relay limits from the environment, checked', () => {
    expect(serverConfig({}).relayLimits).toEqual({});
    expect(
      serverConfig({
        RELAY_CONNECTIONS_PER_ADDRESS_MAX: '500',
        RELAY_RESERVATIONS_PER_ADDRESS_MAX: '200',
      }).relayLimits,
    ).toEqual({ connectionsPerAddressMax: 500, reservationsPerAddressMax: 200 });
    expect(() => serverConfig({ RELAY_RESERVATIONS_PER_ADDRESS_MAX: '0' })).toThrow(
      ServerConfigError,
    );
  });
});
