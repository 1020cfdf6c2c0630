// What a peer says it is, from identify's agent version: only our own strings name a kind.
import { expect, test } from 'vitest';
import { agentVersionOf, kindOfAgent } from '../../../src/lib/net/agent';

test('agent versions name browsers, always-on peers and relays; nothing else does', () => {
  for (const kind of ['browser', 'peer', 'relay'] as const) {
    expect(kindOfAgent(agentVersionOf(kind))).toBe(kind);
  }
  expect(kindOfAgent(undefined)).toBeNull();
  expect(kindOfAgent('js-libp2p/2.10.0 UserAgent=Mozilla/5.0')).toBeNull();
  expect(kindOfAgent('p2p-ledger/server/1')).toBeNull();
  expect(kindOfAgent(`p2p-ledger/peer/${'1'.repeat(200)}`)).toBeNull();
});
