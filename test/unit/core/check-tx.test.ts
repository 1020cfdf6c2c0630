import { beforeAll, describe, expect, test } from 'vitest';
import {
  addressOf,
  applyBlock,
  applyChanges,
  blockSignatureChecks,
  checkTx,
  checkTxAfter,
  makeValidatorSet,
  toHex,
  txHash,
  type LedgerState,
  type Tx,
  type TxBody,
  type TxCode,
  type TxKind,
  validateBlock,
} from '../../../src/lib/core/index';
import {
  GOVERNANCE_PROPOSALS_MAX,
  NEW_ACCOUNTS_PER_BLOCK_MAX,
  NEW_RECORDS_PER_BLOCK_MAX,
  RECORD_KEY_BYTES_MAX,
  RECORD_VALUE_BYTES_MAX,
  TX_BYTES_MAX,
  VALIDATORS_MAX,
} from '../../../src/lib/core/params';
import { addressOfKey, newKeys, possession, TestChain, verifyAll } from '../../support/fixtures';

// checkTx takes the signature verdict as an input, so these txs carry dummy signatures.
let chain: TestChain;
let state: LedgerState;
let validator: Uint8Array; // a validator's public key
let user: Uint8Array; // a funded non-validator
let openProposal: Tx;

function tx(from: Uint8Array, kind: TxKind | string, body: unknown, nonce?: number): Tx {
  return {
    chainId: state.chainId,
    from,
    nonce: nonce ?? state.accounts.get(addressOf(from))?.nonce ?? 0,
    kind: kind as TxKind,
    body: body as TxBody,
    signature: new Uint8Array(64),
  };
}

function withState(patch: (copy: LedgerState) => void): LedgerState {
  const copy: LedgerState = {
    ...state,
    accounts: new Map(state.accounts),
    records: new Map(state.records),
    proposals: new Map(state.proposals),
  };
  patch(copy);
  return copy;
}

function fakeKey(i: number): Uint8Array {
  const key = new Uint8Array(32);
  key[0] = i & 255;
  key[1] = i >> 8;
  key[31] = 0x42;
  return key;
}

beforeAll(async () => {
  chain = await TestChain.create({ validators: 4, accounts: 1, balance: 1000 });
  validator = chain.validatorKeys[0]!.publicKey;
  user = chain.accounts[0]!.publicKey;
  const [candidate] = await newKeys(1);
  openProposal = await chain.tx(chain.validatorKeys[0]!, 'validator-propose', {
    publicKey: candidate!.publicKey,
    power: 5,
    possession: await possession(candidate!, chain.chainId),
  });
  const put = await chain.tx(chain.accounts[0]!, 'put', { key: 'here', value: Uint8Array.of(1) });
  const { results } = await chain.addBlock({ txs: [openProposal, put] });
  expect(results.map((r) => r.code)).toEqual(['ok', 'ok']);
  state = chain.state;
});

describe('checkTx gives every code', () => {
  const userAddress = () => addressOf(user);
  const cases: Array<[TxCode, () => { state?: LedgerState; tx: Tx; signatureValid?: boolean }]> = [
    ['ok', () => ({ tx: tx(user, 'transfer', { to: addressOf(validator), amount: 10 }) })],
    [
      'bad-signature',
      () => ({
        tx: tx(user, 'transfer', { to: addressOf(validator), amount: 1 }),
        signatureValid: false,
      }),
    ],
    [
      'wrong-chain',
      () => ({
        tx: {
          ...tx(user, 'transfer', { to: addressOf(validator), amount: 1 }),
          chainId: 'ab'.repeat(32),
        },
      }),
    ],
    [
      'nonce-too-low',
      () => ({ tx: tx(user, 'transfer', { to: addressOf(validator), amount: 1 }, 0) }),
    ],
    ['nonce-gap', () => ({ tx: tx(user, 'transfer', { to: addressOf(validator), amount: 1 }, 7) })],
    [
      'insufficient-balance',
      () => ({ tx: tx(user, 'transfer', { to: addressOf(validator), amount: 1001 }) }),
    ],
    [
      'too-large',
      () => ({ tx: tx(user, 'put', { key: 'k', value: new Uint8Array(TX_BYTES_MAX) }) }),
    ],
    ['unknown-kind', () => ({ tx: tx(user, 'mint', { amount: 5 }) })],
    ['bad-body', () => ({ tx: tx(user, 'transfer', { to: 'not-an-address', amount: 1 }) })],
    [
      'not-a-validator',
      () => ({
        tx: tx(user, 'validator-propose', {
          publicKey: fakeKey(2),
          power: 1,
          possession: new Uint8Array(64),
        }),
      }),
    ],
    [
      'unknown-proposal',
      () => ({ tx: tx(validator, 'validator-approve', { proposalId: new Uint8Array(32) }) }),
    ],
    [
      'already-approved',
      () => ({ tx: tx(validator, 'validator-approve', { proposalId: txHash(openProposal) }) }),
    ],
    [
      'too-many-proposals',
      () => ({
        state: withState((s) => {
          for (let i = s.proposals.size; i < GOVERNANCE_PROPOSALS_MAX; i++) {
            const id = new Uint8Array(32).fill(i + 1);
            s.proposals.set(toHex(id), {
              id,
              kind: 'validator',
              boxKey: null,
              publicKey: fakeKey(i),
              power: 1,
              proposer: addressOf(validator),
              approvals: [],
              height: 1,
            });
          }
        }),
        tx: tx(validator, 'validator-propose', {
          publicKey: fakeKey(3),
          power: 1,
          possession: new Uint8Array(64),
        }),
      }),
    ],
    [
      'too-many-validators',
      () => ({
        state: withState((s) => {
          s.nextValidators = makeValidatorSet(
            Array.from({ length: VALIDATORS_MAX }, (_, i) => ({
              publicKey: fakeKey(100 + i),
              power: 1,
            })),
          );
        }),
        tx: tx(validator, 'validator-propose', {
          publicKey: fakeKey(4),
          power: 1,
          possession: new Uint8Array(64),
        }),
      }),
    ],
    [
      'key-too-large',
      () => ({
        tx: tx(user, 'put', {
          key: 'k'.repeat(RECORD_KEY_BYTES_MAX + 1),
          value: new Uint8Array(1),
        }),
      }),
    ],
    [
      'value-too-large',
      () => ({
        tx: tx(user, 'put', { key: 'k', value: new Uint8Array(RECORD_VALUE_BYTES_MAX + 1) }),
      }),
    ],
    ['record-not-found', () => ({ tx: tx(user, 'delete', { key: 'missing' }) })],
    [
      'unknown-sender',
      () => ({ tx: tx(fakeKey(77), 'put', { key: 'k', value: Uint8Array.of(1) }) }),
    ],
    ['self-transfer', () => ({ tx: tx(user, 'transfer', { to: userAddress(), amount: 1 }) })],
    ['zero-amount', () => ({ tx: tx(user, 'transfer', { to: addressOf(validator), amount: 0 }) })],
    [
      'bad-possession',
      () => ({
        tx: tx(validator, 'validator-propose', {
          publicKey: fakeKey(5),
          power: 1,
          possession: null,
        }),
      }),
    ],
    [
      'power-too-large',
      () => ({
        tx: tx(validator, 'validator-propose', {
          publicKey: fakeKey(6),
          power: 1_000,
          possession: new Uint8Array(64),
        }),
      }),
    ],
  ];

  test.each(cases)('%s', (code, make) => {
    const c = make();
    expect(checkTx(c.state ?? state, c.tx, c.signatureValid ?? true).code).toBe(code);
  });

  test('the table covers every TxCode', () => {
    const all: Record<TxCode, true> = {
      ok: true,
      'bad-signature': true,
      'wrong-chain': true,
      'unknown-sender': true,
      'nonce-too-low': true,
      'nonce-gap': true,
      'insufficient-balance': true,
      'too-large': true,
      'unknown-kind': true,
      'bad-body': true,
      'not-a-validator': true,
      'unknown-proposal': true,
      'already-approved': true,
      'too-many-proposals': true,
      'too-many-validators': true,
      'key-too-large': true,
      'value-too-large': true,
      'record-not-found': true,
      'self-transfer': true,
      'zero-amount': true,
      'bad-possession': true,
      'power-too-large': true,
      'block-limit': true,
      // Private ledgers only: test/unit/core/membership.test.ts.
      'not-a-member': true,
      'already-a-member': true,
      'too-many-members': true,
      'is-a-validator': true,
      'stale-epoch': true,
      'bad-rotation': true,
    };
    // block-limit needs a whole block (the test below); one tx alone never reaches it.
    const elsewhere = [
      'block-limit',
      'not-a-member',
      'already-a-member',
      'too-many-members',
      'is-a-validator',
      'stale-epoch',
      'bad-rotation',
    ];
    expect([...cases.map(([code]) => code), ...elsewhere].sort()).toEqual(Object.keys(all).sort());
  });

  test('more bad bodies: empty key, removing a non-validator, emptying the set', () => {
    expect(checkTx(state, tx(user, 'put', { key: '', value: new Uint8Array(1) }), true).code).toBe(
      'bad-body',
    );
    expect(
      checkTx(
        state,
        tx(validator, 'validator-propose', { publicKey: fakeKey(9), power: 0, possession: null }),
        true,
      ).code,
    ).toBe('bad-body');
    const single = withState((s) => {
      s.nextValidators = makeValidatorSet([{ publicKey: validator, power: 10 }]);
    });
    expect(
      checkTx(
        single,
        tx(validator, 'validator-propose', { publicKey: validator, power: 0, possession: null }),
        true,
      ).code,
    ).toBe('bad-body');
  });

  test('checkTx never modifies the state', () => {
    const before = toHex(state.stateRoot);
    const nonce = state.accounts.get(addressOf(user))!.nonce;
    checkTx(state, tx(user, 'transfer', { to: addressOf(validator), amount: 10 }), true);
    expect(toHex(state.stateRoot)).toBe(before);
    expect(state.accounts.get(addressOf(user))!.nonce).toBe(nonce);
  });
});

describe('failed txs stay in the block and use only their nonce', () => {
  test('a failing tx keeps its code, leaves the balance, and uses its nonce', async () => {
    const fresh = await TestChain.create({ validators: 1, accounts: 1, balance: 100 });
    const sender = fresh.accounts[0]!;
    const tooMuch = await fresh.transfer(sender, fresh.validatorKeys[0]!, 1000);
    const { results } = await fresh.addBlock({ txs: [tooMuch] });
    expect(results).toEqual([{ code: 'insufficient-balance', detail: 'balance 100' }]);
    expect(fresh.state.accounts.get(addressOfKey(sender))).toEqual({ balance: 100, nonce: 1 });
    expect(fresh.blocks.at(-1)!.txs).toHaveLength(1);
  });

  test('a failed tx cannot be replayed: a block carrying it again is invalid', async () => {
    const fresh = await TestChain.create({ validators: 1, accounts: 1, balance: 100 });
    const sender = fresh.accounts[0]!;
    const tooMuch = await fresh.transfer(sender, fresh.validatorKeys[0]!, 1000);
    await fresh.addBlock({ txs: [tooMuch] });
    // Later the sender has the funds; the same signed bytes would now succeed, but the nonce is used.
    await fresh.addBlock({ txs: [await fresh.transfer(fresh.validatorKeys[0]!, sender, 5_000)] });
    const replay = fresh.buildNext({ txs: [tooMuch] });
    const verdicts = await verifyAll(blockSignatureChecks(fresh.state, replay));
    expect(validateBlock(fresh.state, replay, verdicts)).toMatchObject({
      ok: false,
      rule: 'tx-not-includable',
      detail: expect.stringContaining('nonce-too-low'),
    });
  });

  test('an outsider (no account, not a validator) cannot write', async () => {
    const fresh = await TestChain.create({ validators: 1, accounts: 0 });
    const [outsider] = await newKeys(1);
    const put = await fresh.tx(outsider!, 'put', { key: 'spam', value: new Uint8Array(10) });
    expect(checkTx(fresh.state, put, true)).toEqual({ code: 'unknown-sender' });
    const block = fresh.buildNext({ txs: [put] });
    const verdicts = await verifyAll(blockSignatureChecks(fresh.state, block));
    expect(validateBlock(fresh.state, block, verdicts)).toMatchObject({
      ok: false,
      rule: 'tx-not-includable',
      detail: 'tx 0: unknown-sender',
    });
  });

  test('applyBlock reports bad-signature for a tx whose verdict is false', () => {
    const bad = tx(user, 'transfer', { to: addressOf(validator), amount: 1 });
    const block = chain.buildNext({ txs: [bad] });
    const copy = withState(() => {});
    const { changes, results } = applyBlock(copy, block, [false]);
    expect(results[0]!.code).toBe('bad-signature');
    applyChanges(copy, changes);
    expect(copy.accounts.get(addressOf(user))).toEqual(state.accounts.get(addressOf(user)));
  });
});

describe('validator changes need a key holder and stay within the strongest power', () => {
  test('a key nobody proved to hold cannot be proposed; its holder can', async () => {
    const fresh = await TestChain.create({ validators: 1 });
    const [holder, stranger] = await newKeys(2);
    const proposer = fresh.validatorKeys[0]!;
    const forged = await fresh.tx(proposer, 'validator-propose', {
      publicKey: holder!.publicKey,
      power: 1,
      // Signed, but by someone else: no proof that anyone holds this key.
      possession: await possession(stranger!, fresh.chainId),
    });
    const honest = await fresh.tx(proposer, 'validator-propose', {
      publicKey: holder!.publicKey,
      power: 1,
      possession: await possession(holder!, fresh.chainId),
    });
    const { results } = await fresh.addBlock({ txs: [forged, honest] });
    expect(results.map((r) => r.code)).toEqual(['bad-possession', 'ok']);
    // The lone validator's proposal applies at once (it holds all the power).
    expect(fresh.state.nextValidators.validators).toHaveLength(2);
  });

  test('no change gives a validator more power than the strongest holds', async () => {
    const fresh = await TestChain.create({ validators: 2 });
    const [escalator, other] = fresh.validatorKeys;
    const { results } = await fresh.addBlock({
      txs: [
        await fresh.tx(escalator!, 'validator-propose', {
          publicKey: escalator!.publicKey,
          power: 1_000,
          possession: null,
        }),
        await fresh.tx(other!, 'validator-propose', {
          publicKey: other!.publicKey,
          power: 10,
          possession: null,
        }),
      ],
    });
    expect(results.map((r) => r.code)).toEqual(['power-too-large', 'ok']);
  });
});

describe('per-block limits on new state', () => {
  test('a block creates at most NEW_RECORDS_PER_BLOCK_MAX records and NEW_ACCOUNTS_PER_BLOCK_MAX accounts', async () => {
    const fresh = await TestChain.create({ validators: 1, accounts: 1, balance: 1_000_000 });
    const writer = fresh.accounts[0]!;
    const puts = [];
    for (let i = 0; i <= NEW_RECORDS_PER_BLOCK_MAX; i++) {
      puts.push(await fresh.tx(writer, 'put', { key: `k${i}`, value: Uint8Array.of(1) }));
    }
    const { results } = await fresh.addBlock({ txs: puts });
    expect(results.slice(0, -1).every((r) => r.code === 'ok')).toBe(true);
    expect(results.at(-1)?.code).toBe('block-limit');
    // Overwriting an existing record is not new state.
    const rewrite = await fresh.tx(writer, 'put', { key: 'k0', value: Uint8Array.of(2) });
    expect((await fresh.addBlock({ txs: [rewrite] })).results[0]?.code).toBe('ok');
    const transfers = [];
    for (let i = 0; i <= NEW_ACCOUNTS_PER_BLOCK_MAX; i++) {
      const to = addressOf(fakeKey(1_000 + i));
      transfers.push(await fresh.transfer(writer, to, 1));
    }
    const sent = await fresh.addBlock({ txs: transfers });
    expect(sent.results.slice(0, -1).every((r) => r.code === 'ok')).toBe(true);
    expect(sent.results.at(-1)?.code).toBe('block-limit');
  });
});

describe('the check before signing (checkTxAfter)', () => {
  test('pending txs are not one block: more new records than a block takes are all fine', () => {
    const base = state.accounts.get(addressOf(user))!.nonce;
    const pending = Array.from({ length: NEW_RECORDS_PER_BLOCK_MAX + 10 }, (_, i) =>
      tx(user, 'put', { key: `pending-${i}`, value: Uint8Array.of(i & 255) }, base + i),
    );
    const next = tx(
      user,
      'put',
      { key: 'one-more', value: Uint8Array.of(1) },
      base + pending.length,
    );
    expect(checkTxAfter(state, pending, next)).toEqual({ code: 'ok' });
    // What the pending txs did still counts: deleting one of their records is fine, a record
    // that none of them writes is not there.
    const del = (key: string) => tx(user, 'delete', { key }, base + pending.length);
    expect(checkTxAfter(state, pending, del('pending-3')).code).toBe('ok');
    expect(checkTxAfter(state, pending, del('nowhere')).code).toBe('record-not-found');
  });
});
