// State-machine and signature properties.
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  accountElement,
  accumulate,
  emptyAccumulator,
  recordElement,
} from '../../src/lib/core/accumulator';
import {
  addressOf,
  applyBlock,
  applyChanges,
  buildBlock,
  bytesEqual,
  genesisState,
  proposalSignBytes,
  toHex,
  txSignBytes,
  voteSignBytes,
  type Genesis,
  type LedgerState,
  type Tx,
  type TxBody,
  type TxKind,
} from '../../src/lib/core/index';
import { webCryptoVerifier } from '../../src/lib/crypto/index';
import { makeGenesis, newKeys, signTx, signVote, type SigningKey } from '../support/fixtures';

// The state machine takes signature verdicts as inputs, so these blocks carry dummy signatures
// and all-true verdicts: the properties are about execution, not cryptography.
const USERS = 4;
let keys: SigningKey[];
let genesis: Genesis;

beforeAll(async () => {
  keys = await newKeys(USERS);
  genesis = makeGenesis(keys.slice(0, 2), {
    balances: keys.map((k) => ({ address: addressOf(k.publicKey), amount: 1000 })),
  });
});

type Op =
  | { kind: 'transfer'; from: number; to: number; amount: number }
  | { kind: 'put'; from: number; key: string; value: number }
  | { kind: 'delete'; from: number; key: string }
  | { kind: 'stale'; from: number };

const user = fc.integer({ min: 0, max: USERS - 1 });
const recordKey = fc.constantFrom('a', 'b', 'c');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('transfer' as const),
    from: user,
    to: user,
    amount: fc.integer({ min: 0, max: 1500 }),
  }),
  fc.record({
    kind: fc.constant('put' as const),
    from: user,
    key: recordKey,
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), from: user, key: recordKey }),
  fc.record({ kind: fc.constant('stale' as const), from: user }),
);
const blocksArb = fc.array(fc.array(opArb, { maxLength: 8 }), { minLength: 1, maxLength: 5 });

/** Runs op blocks on a fresh genesis state and returns the final state. */
function run(blocksOps: Op[][]): LedgerState {
  const state = genesisState(genesis);
  const nonces = new Map<number, number>();
  let time = genesis.time;
  for (const ops of blocksOps) {
    const txs = ops.map((op): Tx => {
      const from = keys[op.from]!.publicKey;
      const nonce = nonces.get(op.from) ?? 0;
      nonces.set(op.from, nonce + 1);
      let kind: TxKind = op.kind === 'stale' ? 'transfer' : op.kind;
      let body: TxBody;
      if (op.kind === 'transfer')
        body = { to: addressOf(keys[op.to]!.publicKey), amount: op.amount };
      else if (op.kind === 'put') body = { key: op.key, value: Uint8Array.of(op.value) };
      else if (op.kind === 'delete') body = { key: op.key };
      else {
        kind = 'transfer';
        body = { to: addressOf(keys[(op.from + 1) % USERS]!.publicKey), amount: 1 };
      }
      // 'stale' reuses an old nonce (nonce-too-low) on purpose.
      const txNonce = op.kind === 'stale' ? Math.max(0, nonce - 1) : nonce;
      return {
        chainId: state.chainId,
        from,
        nonce: txNonce,
        kind,
        body,
        signature: new Uint8Array(64),
      };
    });
    time += 1000;
    const block = buildBlock(state, {
      txs,
      time,
      proposer: state.validators.validators[0]!.address,
      lastCommit: null,
    });
    const { changes } = applyBlock(
      state,
      block,
      txs.map(() => true),
    );
    applyChanges(state, changes);
    // Failed txs consume no nonce: re-sync with the state so later ops line up.
    for (let i = 0; i < USERS; i++)
      nonces.set(i, state.accounts.get(addressOf(keys[i]!.publicKey))?.nonce ?? 0);
  }
  return state;
}

function supply(state: LedgerState): number {
  let total = 0;
  for (const account of state.accounts.values()) total += account.balance;
  return total;
}

describe('state machine properties', () => {
  test('two fresh states applying the same blocks reach identical state roots', () => {
    fc.assert(
      fc.property(blocksArb, (blocks) => {
        const a = run(blocks);
        const b = run(blocks);
        expect(toHex(a.stateRoot)).toBe(toHex(b.stateRoot));
        // And the incremental accumulator equals one rebuilt from scratch.
        const full = emptyAccumulator();
        for (const [address, account] of a.accounts)
          accumulate(full, accountElement(address, account), 1);
        for (const [k, v] of a.records) if (v) accumulate(full, recordElement(k, v), 1);
        expect(bytesEqual(full, a.accumulator)).toBe(true);
      }),
      { numRuns: 15 },
    );
  });

  test('different histories that end in different states have different roots', () => {
    fc.assert(
      fc.property(blocksArb, blocksArb, (x, y) => {
        const a = run(x);
        const b = run(y);
        const sameContent =
          JSON.stringify([...a.accounts].sort()) === JSON.stringify([...b.accounts].sort()) &&
          JSON.stringify([...a.records].map(([k, v]) => [k, [...(v ?? [])]]).sort()) ===
            JSON.stringify([...b.records].map(([k, v]) => [k, [...(v ?? [])]]).sort());
        expect(bytesEqual(a.stateRoot, b.stateRoot)).toBe(sameContent);
      }),
      { numRuns: 15 },
    );
  });

  test('transfers (ok or failed) conserve the total supply', () => {
    fc.assert(
      fc.property(blocksArb, (blocks) => {
        expect(supply(run(blocks))).toBe(1000 * USERS);
      }),
      { numRuns: 15 },
    );
  });
});

describe('domain separation', () => {
  test('a signature never verifies under another domain or chain id', async () => {
    const verifier = webCryptoVerifier();
    const chainIdArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
    await fc.assert(
      fc.asyncProperty(
        chainIdArb,
        chainIdArb,
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 0, max: 100 }),
        async (chainId, otherChain, height, round) => {
          fc.pre(chainId !== otherChain);
          const key = keys[0]!;
          const address = addressOf(key.publicKey);
          const vote = await signVote(key, {
            chainId,
            height,
            round,
            type: 'precommit',
            blockHash: new Uint8Array(32).fill(round),
            timestamp: height,
            validator: address,
          });
          const tx = await signTx(key, {
            chainId,
            nonce: height,
            kind: 'transfer',
            body: { to: address, amount: round },
          });
          const { signature: voteSig, ...unsignedVote } = vote;
          const { signature: txSig, ...unsignedTx } = tx;
          const verify = (message: Uint8Array, signature: Uint8Array) =>
            verifier.verify(key.publicKey, message, signature);
          // Sanity: each verifies in its own domain and chain.
          expect(await verify(voteSignBytes(unsignedVote), voteSig)).toBe(true);
          expect(await verify(txSignBytes(unsignedTx), txSig)).toBe(true);
          // Other chain.
          expect(
            await verify(voteSignBytes({ ...unsignedVote, chainId: otherChain }), voteSig),
          ).toBe(false);
          expect(await verify(txSignBytes({ ...unsignedTx, chainId: otherChain }), txSig)).toBe(
            false,
          );
          // Other type: the vote's signature as a prevote, a proposal or a tx, and vice versa.
          expect(await verify(voteSignBytes({ ...unsignedVote, type: 'prevote' }), voteSig)).toBe(
            false,
          );
          const proposal = {
            chainId,
            height,
            round,
            polRound: -1,
            blockHash: unsignedVote.blockHash!,
            proposer: address,
          };
          expect(await verify(proposalSignBytes(proposal), voteSig)).toBe(false);
          expect(await verify(txSignBytes(unsignedTx), voteSig)).toBe(false);
          expect(await verify(voteSignBytes(unsignedVote), txSig)).toBe(false);
        },
      ),
      { numRuns: 8 },
    );
  });
});
