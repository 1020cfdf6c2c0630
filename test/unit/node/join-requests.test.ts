// Join requests are signed by the key they ask for (and carry its proof of possession): the
// gossip edge rejects a forged or unsigned one, so nobody can ask in another's name, and a key
// nobody holds can never be proposed. The table keeps a few per propagation peer, so a peer that
// floods fresh keys cannot evict a real request that came from elsewhere. The kind of device
// asking (a browser or an always-on peer) is signed too, so nobody can relabel it.
import { describe, expect, test } from 'vitest';
import { encodeValue } from '../../../src/lib/core/encoding';
import { genesisState } from '../../../src/lib/core/genesis';
import {
  joinSignBytes,
  possessionSignBytes,
  type DeviceKind,
  type JoinRole,
} from '../../../src/lib/core/signing';
import type { LedgerState } from '../../../src/lib/core/state';
import { addressOf } from '../../../src/lib/core/hash';
import { webCryptoSigner, webCryptoVerifier } from '../../../src/lib/crypto/index';
import { createGossipValidator } from '../../../src/lib/node/gossip-validator';
import { JoinRequests } from '../../../src/lib/node/join-requests';
import {
  JOIN_DECLINED_MAX,
  JOIN_REQUESTS_MAX,
  JOIN_REQUESTS_PER_PEER_MAX,
} from '../../../src/lib/node/params';
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
  ask: { boxKey: Uint8Array | null; asks: JoinRole } = { boxKey: null, asks: 'validator' },
): Promise<JoinRequestMessage> {
  const signer = webCryptoSigner(key);
  const { boxKey, asks } = ask;
  return {
    publicKey: key.publicKey,
    label,
    kind,
    boxKey,
    asks,
    possession: await signer.sign(possessionSignBytes(chainId, key.publicKey)),
    signature: await signer.sign(joinSignBytes(chainId, key.publicKey, label, kind, boxKey, asks)),
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

  test("a private ledger's request carries the box key and what it asks, both signed", async () => {
    const [validator, device] = await newKeys(2);
    const state = genesisState(makeGenesis([validator!], { private: { admission: 'two-thirds' } }));
    const boxKey = new Uint8Array(32).fill(5);
    const real = await signedRequest(device!, state.chainId, 'phone', 'browser', {
      boxKey,
      asks: 'member',
    });
    const validate = createGossipValidator({
      state: () => state,
      verifier: webCryptoVerifier(),
      onAhead: () => undefined,
    });
    expect(decodeJoinRequest(encodeJoinRequest(real))).toEqual(real);
    expect(await validate('join', encodeJoinRequest(real), 'p')).toMatchObject({
      result: 'accept',
    });
    // Nobody on the path swaps the box key (to open the ledger key) or turns the ask into power.
    for (const forged of [
      { ...real, boxKey: new Uint8Array(32).fill(6) },
      { ...real, boxKey: null },
      { ...real, asks: 'validator' as const },
    ]) {
      expect(await validate('join', encodeJoinRequest(forged), 'p')).toEqual({
        result: 'reject',
        reason: 'bad-signature',
      });
    }
    // Strict shape: a box key of another length, an ask the protocol does not know, v2's shape.
    const { publicKey, label, kind, possession, signature } = real;
    for (const bad of [
      [publicKey, label, kind, new Uint8Array(31), 'member', possession, signature],
      [publicKey, label, kind, boxKey, 'admin', possession, signature],
      [publicKey, label, kind, possession, signature],
    ]) {
      expect(await validate('join', encodeValue(bad), 'p')).toMatchObject({ result: 'reject' });
    }
  });

  test('on a private ledger approving admits a member first; a validator only when asked', async () => {
    const [v1, v2, device, member] = await newKeys(4);
    const genesis = makeGenesis([v1!, v2!], {
      private: { admission: 'two-thirds', extraMembers: [member!] },
    });
    const state: LedgerState = genesisState(genesis);
    const boxKey = new Uint8Array(32).fill(5);
    const asking = (key: SigningKey, asks: JoinRole) =>
      signedRequest(key, state.chainId, 'x', 'browser', { boxKey, asks });
    const table = new JoinRequests(() => undefined);
    table.add(state, await asking(device!, 'member'), 'p', 1);
    // A member asking to be a member asks for nothing: not listed; asking for power: listed.
    table.add(state, await asking(member!, 'member'), 'p', 2);
    table.add(state, await asking(member!, 'validator'), 'p', 3);
    const self = addressOf(v1!.publicKey);
    const [newcomer, known] = table.views(state, self);
    expect(newcomer).toMatchObject({
      address: addressOf(device!.publicKey),
      boxKey: '05'.repeat(32),
      asks: 'member',
      member: false,
      grants: 'member',
      power: 0,
      shareAfter: 0,
      proposalId: null,
    });
    expect(known).toMatchObject({ member: true, grants: 'validator', power: 10 });

    // Under the two-thirds rule the first approval opens a member-add: the row shows it.
    const id = new Uint8Array(32).fill(9);
    state.proposals.set('09'.repeat(32), {
      id,
      kind: 'member-add',
      publicKey: device!.publicKey,
      power: 0,
      boxKey,
      proposer: self,
      approvals: [self],
      height: 1,
    });
    expect(table.views(state, self)[0]).toMatchObject({
      grants: 'member',
      proposalId: '09'.repeat(32),
      approvedPower: 10,
      totalPower: 20,
      approvedByMe: true,
    });

    // Once it is a member its request (for membership) is settled; declined ones stay hidden.
    const admitted = {
      ...state.access!,
      members: [
        ...state.access!.members,
        { address: addressOf(device!.publicKey), publicKey: device!.publicKey, boxKey },
      ],
    };
    table.settle({ ...state, access: admitted });
    expect(table.views(state, self).map((view) => view.asks)).toEqual(['validator']);
    table.decline(member!.publicKey);
    expect(table.views(state, self)).toEqual([]);
    table.add(state, await asking(member!, 'validator'), 'p', 4);
    expect(table.views(state, self)).toEqual([]);
    // The declined list is bounded: the oldest decline is forgotten first.
    for (let i = 0; i < JOIN_DECLINED_MAX; i++) table.decline(new Uint8Array(32).fill(i + 1));
    table.add(state, await asking(member!, 'validator'), 'p', 5);
    expect(table.views(state, self).map((view) => view.address)).toEqual([
      addressOf(member!.publicKey),
    ]);
  });
});
