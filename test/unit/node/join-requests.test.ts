// Join requests are signed by the key they ask for (and carry its proof of possession): the
// gossip edge rejects a forged or unsigned one, so nobody can ask in another's name, and a key
// nobody holds can never be proposed. The table keeps a few per propagation peer, so a peer that
// floods fresh keys cannot evict a real request that came from elsewhere. The kind of device
// asking (a browser or an always-on peer) is signed too, so nobody can relabel it.
import { describe, expect, test } from 'vitest';
import { encodeValue } from '../../../src/lib/core/encoding';
import { genesisState } from '../../../src/lib/core/genesis';
import { joinSignBytes, possessionSignBytes, type DeviceKind } from '../../../src/lib/core/signing';
import { webCryptoSigner, webCryptoVerifier } from '../../../src/lib/crypto/index';
import { createGossipValidator } from '../../../src/lib/node/gossip-validator';
import { JoinRequests } from '../../../src/lib/node/join-requests';
import { JOIN_REQUESTS_MAX, JOIN_REQUESTS_PER_PEER_MAX } from '../../../src/lib/node/params';
import {
  decodeJoinRequest,
  encodeJoinRequest,
  type JoinRequestMessage,
} from '../../../src/lib/node/wire';
import { makeGenesis, newKeys, type SigningKey } from '../../support/fixtures';

async function signedRequest(
  key: SigningKey,
  chainId: string,
  label: string,
  kind: DeviceKind = 'browser',
): Promise<JoinRequestMessage> {
  const signer = webCryptoSigner(key);
  return {
    publicKey: key.publicKey,
    label,
    kind,
    boxKey: null,
    asks: 'validator',
    possession: await signer.sign(possessionSignBytes(chainId, key.publicKey)),
    signature: await signer.sign(joinSignBytes(chainId, key.publicKey, label, kind)),
  };
}

describe('join requests', () => {
  test('the edge accepts a request signed by its key, and rejects forged ones', async () => {
    const [validator, device, other] = await newKeys(3);
    const state = genesisState(makeGenesis([validator!]));
    const validate = createGossipValidator({
      state: () => state,
      verifier: webCryptoVerifier(),
      onAhead: () => undefined,
    });
    const real = await signedRequest(device!, state.chainId, "Anna's phone");
    expect(await validate('join', encodeJoinRequest(real), 'peer')).toMatchObject({
      result: 'accept',
    });
    // Someone else's signature over this key, a relabelled request, another chain's request.
    const byOther = await signedRequest(other!, state.chainId, "Anna's phone");
    const forged = [
      { ...real, signature: byOther.signature },
      { ...real, possession: byOther.possession },
      { ...real, label: 'Admin laptop' },
      { ...real, kind: 'peer' as const },
      await signedRequest(device!, 'ab'.repeat(32), "Anna's phone"),
    ];
    for (const request of forged) {
      expect(await validate('join', encodeJoinRequest(request), 'peer')).toEqual({
        result: 'reject',
        reason: 'bad-signature',
      });
    }
  });

  test("an always-on peer's request says so, in the table and the view", async () => {
    const [validator, peer] = await newKeys(2);
    const state = genesisState(makeGenesis([validator!]));
    const request = await signedRequest(peer!, state.chainId, 'home server', 'peer');
    const decoded = decodeJoinRequest(encodeJoinRequest(request));
    expect(decoded.kind).toBe('peer');
    const validate = createGossipValidator({
      state: () => state,
      verifier: webCryptoVerifier(),
      onAhead: () => undefined,
    });
    expect(await validate('join', encodeJoinRequest(request), 'p')).toMatchObject({
      result: 'accept',
    });
    const table = new JoinRequests(() => undefined);
    table.add(state, decoded, 'p', 1);
    expect(table.views(state, 'self')).toMatchObject([{ label: 'home server', kind: 'peer' }]);
    // A kind the protocol does not know does not decode.
    const { publicKey, label, possession, signature } = request;
    const unknown = encodeValue([
      publicKey,
      label,
      'server',
      null,
      'validator',
      possession,
      signature,
    ]);
    expect(await validate('join', unknown, 'p')).toMatchObject({ result: 'reject' });
  });

  test('one peer flooding fresh keys evicts only its own requests', async () => {
    const keys = await newKeys(2);
    const state = genesisState(makeGenesis([keys[0]!]));
    const table = new JoinRequests(() => undefined);
    const real = await signedRequest(keys[1]!, state.chainId, 'laptop');
    table.add(state, real, 'honest-peer', 1);
    const flood = await newKeys(JOIN_REQUESTS_MAX + 10);
    for (const [i, key] of flood.entries()) {
      table.add(state, await signedRequest(key, state.chainId, `spam ${i}`), 'flooder', 2 + i);
    }
    const views = table.views(state, 'self');
    expect(views.map((view) => view.label)).toContain('laptop');
    expect(views.filter((view) => view.label.startsWith('spam'))).toHaveLength(
      JOIN_REQUESTS_PER_PEER_MAX,
    );
    // The newest of the flood are the ones kept.
    expect(views.at(-1)?.label).toBe(`spam ${flood.length - 1}`);
  });
});
