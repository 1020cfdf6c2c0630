// Private ledgers in the core: only members write; a validator admits members (alone, or with
// more than 2/3 of the power, as the genesis says); a removal (decided by 2/3, or by the member
// itself) is final at the key rotation that follows, and from the next block on the removed
// device's transactions are refused. The sealed keys themselves are the node's business: here
// only their count and the epoch are checked.
import { describe, expect, test } from 'vitest';
import { genesisState, GenesisError } from '../../../src/lib/core/genesis';
import { addressOf, toHex, txHash } from '../../../src/lib/core/hash';
import { epochKeyHash, remainingMembers } from '../../../src/lib/core/membership';
import { MEMBERS_MAX, SEALED_KEY_BYTES, WRAPPED_KEY_BYTES } from '../../../src/lib/core/params';
import { checkTx } from '../../../src/lib/core/apply';
import {
  addressOfKey,
  fakeBoxKey,
  makeGenesis,
  newKeys,
  possession,
  TestChain,
  type SigningKey,
} from '../../support/fixtures';

async function privateChain(admission: 'any-validator' | 'two-thirds', accounts = 1) {
  return TestChain.create({ validators: 4, accounts, private: { admission } });
}

/** A rotation to the next epoch with one (dummy) sealed key per member that stays. */
async function rotate(chain: TestChain, from: SigningKey) {
  const access = chain.state.access!;
  const staying = remainingMembers(access);
  return chain.tx(from, 'epoch-rotate', {
    epoch: access.epoch + 1,
    keyHash: epochKeyHash(access.epoch + 1, new Uint8Array(32).fill(access.epoch + 1)),
    sealed: staying.map(() => new Uint8Array(SEALED_KEY_BYTES)),
    wrappedPrevious: new Uint8Array(WRAPPED_KEY_BYTES),
  });
}

describe('private ledgers: members', () => {
  test('only members write; a public ledger is unchanged', async () => {
    const chain = await privateChain('any-validator');
    const [outsider] = await newKeys(1);
    const member = chain.accounts[0]!;
    const put = (key: SigningKey) => chain.tx(key, 'put', { key: 'note', value: Uint8Array.of(1) });
    expect(checkTx(chain.state, await put(member), true)).toEqual({ code: 'ok' });
    expect(checkTx(chain.state, await put(outsider!), true)).toEqual({ code: 'not-a-member' });
    const open = await TestChain.create({ validators: 1 });
    expect(open.state.access).toBeNull();
  });

  test("'any-validator': one validator admits a key holder at once, with its proof", async () => {
    const chain = await privateChain('any-validator');
    const [device, stranger] = await newKeys(2);
    const [v0] = chain.validatorKeys;
    const add = async (key: SigningKey, proofBy: SigningKey) =>
      chain.tx(v0!, 'member-add', {
        publicKey: key.publicKey,
        boxKey: fakeBoxKey(key),
        possession: await possession(proofBy, chain.chainId),
      });
    const { results } = await chain.addBlock({
      txs: [
        await add(device!, stranger!),
        await add(device!, device!),
        await add(device!, device!),
      ],
    });
    expect(results.map((r) => r.code)).toEqual(['bad-possession', 'ok', 'already-a-member']);
    expect(chain.state.access!.members.map((m) => m.address)).toContain(addressOfKey(device!));
    // A member may not be added by a non-validator.
    const [later] = await newKeys(1);
    const byMember = await chain.tx(chain.accounts[0]!, 'member-add', {
      publicKey: later!.publicKey,
      boxKey: fakeBoxKey(later!),
      possession: await possession(later!, chain.chainId),
    });
    expect((await chain.addBlock({ txs: [byMember] })).results[0]?.code).toBe('not-a-validator');
  });

  test("'two-thirds': admission waits for more than 2/3 of the power", async () => {
    const chain = await privateChain('two-thirds');
    const [device] = await newKeys(1);
    const [v0, v1, v2] = chain.validatorKeys;
    const add = await chain.tx(v0!, 'member-add', {
      publicKey: device!.publicKey,
      boxKey: fakeBoxKey(device!),
      possession: await possession(device!, chain.chainId),
    });
    await chain.addBlock({
      txs: [add, await chain.tx(v1!, 'validator-approve', { proposalId: txHash(add) })],
    });
    expect(chain.state.access!.members.some((m) => m.address === addressOfKey(device!))).toBe(
      false,
    );
    expect(chain.state.proposals.get(toHex(txHash(add)))?.kind).toBe('member-add');
    await chain.addBlock({
      txs: [await chain.tx(v2!, 'validator-approve', { proposalId: txHash(add) })],
    });
    expect(chain.state.access!.members.some((m) => m.address === addressOfKey(device!))).toBe(true);
  });

  test('a removal is final at the rotation; the removed device is refused from then on', async () => {
    const chain = await privateChain('any-validator', 2);
    const [leaver, removed] = chain.accounts;
    const [v0, v1, v2] = chain.validatorKeys;
    // One leaves by itself; the other is removed by more than 2/3 of the power.
    const leave = await chain.tx(leaver!, 'member-remove', { address: addressOfKey(leaver!) });
    const remove = await chain.tx(v0!, 'member-remove', { address: addressOfKey(removed!) });
    await chain.addBlock({
      txs: [
        leave,
        remove,
        await chain.tx(v1!, 'validator-approve', { proposalId: txHash(remove) }),
        await chain.tx(v2!, 'validator-approve', { proposalId: txHash(remove) }),
      ],
    });
    const access = chain.state.access!;
    expect(access.leaving.sort()).toEqual([addressOfKey(leaver!), addressOfKey(removed!)].sort());
    // Decided: from the next block on they can no longer write, though until the rotation they
    // are still members (a member-remove of theirs is already done).
    expect(access.members.map((member) => member.address)).toContain(addressOfKey(removed!));
    expect(
      checkTx(
        chain.state,
        await chain.tx(removed!, 'put', { key: 'k', value: Uint8Array.of(1) }),
        true,
      ),
    ).toEqual({ code: 'not-a-member' });
    // A rotation must seal the key to exactly the members that stay, for the next epoch.
    const staying = remainingMembers(access).length;
    const wrongCount = await chain.tx(v0!, 'epoch-rotate', {
      epoch: 1,
      keyHash: new Uint8Array(32),
      sealed: Array.from({ length: staying + 1 }, () => new Uint8Array(SEALED_KEY_BYTES)),
      wrappedPrevious: new Uint8Array(WRAPPED_KEY_BYTES),
    });
    const rotation = await rotate(chain, v1!);
    const stale = await rotate(chain, v2!); // the same epoch again: the first one wins
    const { results } = await chain.addBlock({ txs: [wrongCount, rotation, stale] });
    expect(results.map((r) => r.code)).toEqual(['bad-rotation', 'ok', 'stale-epoch']);
    expect(chain.state.access!.epoch).toBe(1);
    expect(chain.state.access!.members).toHaveLength(staying);
    const afterwards = await chain.tx(removed!, 'put', { key: 'k', value: Uint8Array.of(2) });
    expect(checkTx(chain.state, afterwards, true)).toEqual({ code: 'not-a-member' });
  });

  test('validators stay members: a validator cannot leave, and only members become validators', async () => {
    const chain = await privateChain('any-validator');
    const [v0] = chain.validatorKeys;
    const [outsider] = await newKeys(1);
    const { results } = await chain.addBlock({
      txs: [
        await chain.tx(v0!, 'member-remove', { address: addressOfKey(v0!) }),
        await chain.tx(v0!, 'validator-propose', {
          publicKey: outsider!.publicKey,
          power: 1,
          possession: await possession(outsider!, chain.chainId),
        }),
      ],
    });
    expect(results.map((r) => r.code)).toEqual(['is-a-validator', 'not-a-member']);
  });

  test('at most MEMBERS_MAX members; the genesis checks its membership', async () => {
    const keys = await newKeys(MEMBERS_MAX + 1);
    const full = makeGenesis(keys.slice(0, 1), {
      private: { admission: 'any-validator', extraMembers: keys.slice(1, MEMBERS_MAX) },
    });
    expect(genesisState(full).access!.members).toHaveLength(MEMBERS_MAX);
    const tooMany = makeGenesis(keys.slice(0, 1), {
      private: { admission: 'any-validator', extraMembers: keys.slice(1) },
    });
    expect(() => genesisState(tooMany)).toThrow(GenesisError);
    const validatorNotMember = {
      ...full,
      membership: { ...full.membership!, members: full.membership!.members.slice(1) },
    };
    expect(() => genesisState(validatorNotMember)).toThrow(/validator/);
    expect(addressOf(keys[0]!.publicKey)).toBe(
      genesisState(full).validators.validators[0]!.address,
    );
  });
});
