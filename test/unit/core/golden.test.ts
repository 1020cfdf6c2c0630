// Golden values: any change here is a protocol change (every node must change together).
import { expect, test } from 'vitest';
import { accountElement, accumulate, emptyAccumulator } from '../../../src/lib/core/accumulator';
import {
  addressOf,
  encodeTx,
  genesisState,
  toHex,
  txHash,
  txSignBytes,
  type Genesis,
  type Tx,
} from '../../../src/lib/core/index';

const key = (fill: number) => new Uint8Array(32).fill(fill);
const genesis: Genesis = {
  name: 'golden',
  time: 1_700_000_000_000,
  validators: [{ publicKey: key(1), power: 10 }],
  balances: [{ address: addressOf(key(2)), amount: 500 }],
  salt: Uint8Array.of(7),
};

test('chain id, state root and tx encodings are pinned', () => {
  const state = genesisState(genesis);
  const tx: Tx = {
    chainId: state.chainId,
    from: key(2),
    nonce: 0,
    kind: 'transfer',
    body: { to: addressOf(key(1)), amount: 5 },
    signature: new Uint8Array(64),
  };
  expect({
    address: addressOf(key(2)),
    chainId: state.chainId,
    stateRoot: toHex(state.stateRoot),
    txSignBytes: toHex(txSignBytes(tx)).slice(0, 80),
    encodedTxBytes: encodeTx(tx).length,
    txHash: toHex(txHash(tx)),
  }).toMatchInlineSnapshot(`
    {
      "address": "75877bb41d393b5fb8455ce60ecd8dda001d0631",
      "chainId": "cceb17443a0c2ed0f17e26359f4915c79a646dcb6b6d7bed1993af86aa87e523",
      "encodedTxBytes": 221,
      "stateRoot": "3395cbcdf3a168f4ded7640c8d6813169e3492222b26e8b97c26d1e1e4ef2fea",
      "txHash": "507613f3d6f815a7ac61731ea85be2d80ff41d5c88345fd500ff87834a23dfcd",
      "txSignBytes": "86707032702d6c65646765722f74782f763178406363656231373434336130633265643066313765",
    }
  `);
});

test('the portable lane loop and the Uint32Array fast path agree', () => {
  const aligned = emptyAccumulator();
  const buffer = new Uint8Array(2049);
  const unaligned = buffer.subarray(1); // odd byteOffset forces the byte loop
  for (let i = 0; i < 5; i++) {
    const element = accountElement(addressOf(key(i)), { balance: i * 1000, nonce: i });
    accumulate(aligned, element, 1);
    accumulate(unaligned, element, 1);
  }
  accumulate(aligned, accountElement(addressOf(key(3)), { balance: 3000, nonce: 3 }), -1);
  accumulate(unaligned, accountElement(addressOf(key(3)), { balance: 3000, nonce: 3 }), -1);
  expect(toHex(unaligned)).toBe(toHex(aligned));
  // Adding then removing everything returns to zero.
  for (const i of [0, 1, 2, 4]) {
    accumulate(aligned, accountElement(addressOf(key(i)), { balance: i * 1000, nonce: i }), -1);
  }
  expect(aligned.every((byte) => byte === 0)).toBe(true);
});
