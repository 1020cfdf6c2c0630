import { describe, expect, test } from 'vitest';
import {
  accountElement,
  accumulate,
  emptyAccumulator,
  recordElement,
  stateRootOf,
} from '../../../src/lib/core/accumulator';
import {
  addressOf,
  bytesEqual,
  chainIdOf,
  encodeGenesis,
  findValidator,
  validatorChangePending,
  GenesisError,
  genesisState,
  toHex,
  txHash,
  type LedgerState,
} from '../../../src/lib/core/index';
import {
  EVIDENCE_AGE_MAX_HEIGHTS,
  GENESIS_BALANCES_MAX,
  GOVERNANCE_PROPOSAL_TTL_BLOCKS,
  LEDGER_NAME_BYTES_MAX,
  VALIDATORS_MAX,
} from '../../../src/lib/core/params';
import { sha256 } from '../../../src/lib/core/hash';
import { evidenceSetForHeight } from '../../../src/lib/core/block';
import { addressOfKey, makeGenesis, newKeys, possession, TestChain } from '../../support/fixtures';

function recomputedAccumulator(state: LedgerState): Uint8Array {
  const accumulator = emptyAccumulator();
  for (const [address, account] of state.accounts)
    accumulate(accumulator, accountElement(address, account), 1);
  for (const [key, value] of state.records) {
    if (value) accumulate(accumulator, recordElement(key, value), 1);
  }
  return accumulator;
}

describe('genesis', () => {
  test('chain id is the hex SHA-256 of the canonical genesis', async () => {
    const chain = await TestChain.create({ validators: 2 });
    expect(chain.chainId).toBe(toHex(sha256(encodeGenesis(chain.genesis))));
    expect(chainIdOf({ ...chain.genesis, salt: Uint8Array.of(1) })).not.toBe(chain.chainId);
    expect(chain.state.height).toBe(0);
    expect(chain.state.validators).toEqual(chain.state.nextValidators);
    expect(chain.state.lastValidators.validators).toEqual([]);
  });

  test('invalid genesis documents are GenesisErrors', async () => {
    const [key] = await newKeys(1);
    const good = makeGenesis([key!]);
    const bad = [
      { ...good, validators: [] },
      { ...good, validators: [...good.validators, ...good.validators] },
      { ...good, validators: [{ publicKey: key!.publicKey, power: 0 }] },
      { ...good, name: 'x'.repeat(LEDGER_NAME_BYTES_MAX + 1) },
      { ...good, balances: [{ address: 'zz', amount: 1 }] },
      {
        ...good,
        balances: [
          { address: addressOfKey(key!), amount: 2 ** 52 },
          { address: 'ab'.repeat(20), amount: 2 ** 52 },
        ],
      },
      {
        ...good,
        balances: Array.from({ length: GENESIS_BALANCES_MAX + 1 }, (_, i) => ({
          address: i.toString(16).padStart(40, '0'),
          amount: 1,
        })),
      },
      {
        ...good,
        validators: Array.from({ length: VALIDATORS_MAX + 1 }, (_, i) => ({
          publicKey: new Uint8Array(32).fill(i),
          power: 1,
        })),
      },
    ];
    for (const genesis of bad) expect(() => genesisState(genesis)).toThrow(GenesisError);
  });
});

describe('state transition', () => {
  test('transfers, puts and deletes update state; the accumulator equals a full recompute', async () => {
    const chain = await TestChain.create({ validators: 2, accounts: 2, balance: 100 });
    const [a, b] = chain.accounts as [(typeof chain.accounts)[0], (typeof chain.accounts)[0]];
    await chain.addBlock({
      txs: [
        await chain.transfer(a, b, 30),
        await chain.tx(a, 'put', { key: 'x', value: Uint8Array.of(1) }),
        await chain.tx(b, 'put', { key: 'y', value: Uint8Array.of(2) }),
      ],
    });
    await chain.addBlock({
      txs: [
        await chain.tx(a, 'delete', { key: 'x' }),
        await chain.tx(a, 'put', { key: 'z', value: Uint8Array.of(3) }),
      ],
    });
    const state = chain.state;
    expect(state.accounts.get(addressOfKey(a))).toEqual({ balance: 70, nonce: 4 });
    expect(state.accounts.get(addressOfKey(b))).toEqual({ balance: 130, nonce: 1 });
    expect([...state.records.keys()].sort()).toEqual(
      [`${addressOfKey(a)}/z`, `${addressOfKey(b)}/y`].sort(),
    );
    expect(bytesEqual(state.accumulator, recomputedAccumulator(state))).toBe(true);
    expect(
      bytesEqual(
        state.stateRoot,
        stateRootOf(recomputedAccumulator(state), state, [...state.proposals.values()]),
      ),
    ).toBe(true);
    // The next header commits to this root.
    expect(chain.buildNext().header.stateRoot).toEqual(state.stateRoot);
  });

  test('replaying the blocks on a fresh genesis state gives the same root', async () => {
    const chain = await TestChain.create({ validators: 3, accounts: 2 });
    await chain.addBlocks(3, async (i) => [
      await chain.transfer(chain.accounts[i % 2]!, chain.accounts[(i + 1) % 2]!, i + 1),
    ]);
    const { applyBlock, applyChanges, blockSignatureChecks } =
      await import('../../../src/lib/core/index');
    const { verifyAll } = await import('../../support/fixtures');
    const replica = chain.freshState();
    for (const block of chain.blocks) {
      const { changes } = applyBlock(
        replica,
        block,
        await verifyAll(blockSignatureChecks(replica, block)),
      );
      applyChanges(replica, changes);
    }
    expect(toHex(replica.stateRoot)).toBe(toHex(chain.state.stateRoot));
    expect(replica.lastBlockHash).toEqual(chain.state.lastBlockHash);
  });
});

describe('governance', () => {
  test('a change approved by > 2/3 in block H signs from H + 2', async () => {
    const chain = await TestChain.create({ validators: 4 });
    const [newcomer] = await newKeys(1);
    chain.keysByAddress.set(addressOfKey(newcomer!), newcomer!);
    const [v0, v1, v2] = chain.state.validators.validators.map((v) => chain.keyOf(v.address));
    const propose = await chain.tx(v0!, 'validator-propose', {
      publicKey: newcomer!.publicKey,
      power: 10,
      possession: await possession(newcomer!, chain.chainId),
    });
    const id = txHash(propose);
    await chain.addBlock({
      txs: [propose, await chain.tx(v1!, 'validator-approve', { proposalId: id })],
    });
    // 20 of 40 is not more than 2/3: still open.
    expect(chain.state.proposals.get(toHex(id))?.approvals).toHaveLength(2);
    const { results } = await chain.addBlock({
      txs: [await chain.tx(v2!, 'validator-approve', { proposalId: id })],
    });
    expect(results[0]!.code).toBe('ok');
    const approvedAt = chain.state.height; // H
    expect(chain.state.proposals.size).toBe(0);
    const added = addressOfKey(newcomer!);
    expect(findValidator(chain.state.validators, added)).toBeUndefined(); // signs H + 1
    expect(findValidator(chain.state.nextValidators, added)?.power).toBe(10); // signs H + 2
    // Block H + 1 is owed even with no tx waiting; a copy of the state (a reload) agrees.
    expect(validatorChangePending(chain.state)).toBe(true);
    expect(validatorChangePending(structuredClone(chain.state))).toBe(true);
    await chain.addBlock(); // H + 1
    expect(findValidator(chain.state.validators, added)).toBeDefined();
    expect(validatorChangePending(chain.state)).toBe(false);
    expect(validatorChangePending(structuredClone(chain.state))).toBe(false);
    expect(chain.state.validators.totalPower).toBe(50);
    const { block } = await chain.addBlock(); // H + 2: signed by the new set
    expect(block.header.height).toBe(approvedAt + 2);
    // Block H + 3 carries the commit of H + 2 with the newcomer's slot.
    const next = await chain.addBlock();
    expect(next.block.lastCommit!.signatures).toHaveLength(5);
  });

  test('removing a validator (power 0) and proposals expiring after the TTL', async () => {
    const chain = await TestChain.create({ validators: 2, powers: [10, 1] });
    const [big, small] = chain.validatorKeys as [
      (typeof chain.validatorKeys)[0],
      (typeof chain.validatorKeys)[0],
    ];
    // The big validator alone holds > 2/3: its proposal applies at once.
    await chain.addBlock({
      txs: [
        await chain.tx(big, 'validator-propose', {
          publicKey: small.publicKey,
          power: 0,
          possession: null,
        }),
      ],
    });
    expect(chain.state.nextValidators.validators.map((v) => v.address)).toEqual([
      addressOfKey(big),
    ]);
    // The small validator's own proposal needs approvals: it expires.
    const lonely = await TestChain.create({ validators: 2, powers: [1, 10] });
    const [candidate] = await newKeys(1);
    const [low] = lonely.validatorKeys;
    await lonely.addBlock({
      txs: [
        await lonely.tx(low!, 'validator-propose', {
          publicKey: candidate!.publicKey,
          power: 1,
          possession: await possession(candidate!, lonely.chainId),
        }),
      ],
    });
    expect(lonely.state.proposals.size).toBe(1);
    const state = lonely.state;
    const proposal = [...state.proposals.values()][0]!;
    state.proposals.set(toHex(proposal.id), {
      ...proposal,
      height: state.height + 1 - GOVERNANCE_PROPOSAL_TTL_BLOCKS,
    });
    await lonely.addBlock();
    expect(lonely.state.proposals.size).toBe(0);
    expect(addressOf(low!.publicKey)).toBe(addressOfKey(low!));
  });
});

describe('evidence window', () => {
  test('evidence reaches back over an unchanged set, up to EVIDENCE_AGE_MAX_HEIGHTS', async () => {
    const chain = await TestChain.create({ validators: 4, accounts: 2 });
    await chain.addBlocks(3);
    const state = chain.state;
    expect(state.lastValidatorsSince).toBe(1);
    expect(evidenceSetForHeight(state, 1)).toBe(state.lastValidators);
    expect(evidenceSetForHeight(state, state.height + 1)).toBe(state.validators);
    expect(evidenceSetForHeight(state, 0)).toBeNull();
    expect(evidenceSetForHeight(state, state.height + 2)).toBeNull();
    const aged = { ...state, height: EVIDENCE_AGE_MAX_HEIGHTS + 5 };
    // The block being built is height + 1: evidence of h fits in blocks h .. h + MAX - 1.
    expect(evidenceSetForHeight(aged, 6)).toBe(state.lastValidators);
    expect(evidenceSetForHeight(aged, 5)).toBeNull();
    expect(evidenceSetForHeight({ ...state, lastValidatorsSince: 3 }, 2)).toBeNull();
  });
});
