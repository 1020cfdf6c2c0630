// What the status says about the network: only devices of this ledger are peers; the relay
// makes a device online but is no peer; a node of another ledger met on the relay is neither.
import { describe, expect, test } from 'vitest';
import { connectivityOf, peerInfos } from '../../../src/lib/node/queries';
import type { PeerSummary } from '../../../src/lib/net/network';

const status = { chainId: 'a'.repeat(64), height: 7, headHash: new Uint8Array(32) };
const relay: PeerSummary = {
  id: 'relay',
  transports: ['websocket'],
  addresses: ['/ip4/127.0.0.1/tcp/8081/ws'],
  latencyMs: 1,
  status: null,
};
const device: PeerSummary = {
  id: 'device',
  transports: ['webrtc'],
  addresses: ['/webrtc'],
  latencyMs: 3,
  status,
  kind: 'peer',
};
const otherLedger: PeerSummary = {
  id: 'other',
  transports: ['webrtc'],
  addresses: ['/webrtc'],
  latencyMs: 3,
  status: null,
};

describe('peers and connectivity', () => {
  test('a one-device ledger on the relay: online, no peers', () => {
    expect(connectivityOf([relay, otherLedger])).toEqual({ online: true, peerCount: 0 });
  });
  test('devices of this ledger are counted; nothing connected is offline', () => {
    expect(connectivityOf([relay, device])).toEqual({ online: true, peerCount: 1 });
    expect(connectivityOf([device])).toEqual({ online: true, peerCount: 1 });
    expect(connectivityOf([])).toEqual({ online: false, peerCount: 0 });
    expect(connectivityOf([otherLedger])).toEqual({ online: false, peerCount: 0 });
  });
  test('each peer says what it is, what it claims to be and how far it is', () => {
    const infos = peerInfos([relay, device, otherLedger]);
    expect(infos.map((p) => [p.role, p.kind, p.height])).toEqual([
      ['relay', null, null],
      ['device', 'peer', 7],
      ['other', null, null],
    ]);
  });
});
