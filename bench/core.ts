// Ledger core micro-benchmark: `npx tsx bench/core.ts`. Prints a markdown table and writes
// bench/results/core.json. Figures are medians of RUNS runs on this machine.
//
// - per-tx pipeline: decodeTx (strict, with re-encode check) + txHash + txSignBytes + verify
//   (pre-checks + WebCrypto, 1,000 verifications in flight at once, as a driver batches them);
// - applyBlock of 1,000 transfers on a state of 1k vs 100k accounts: must not grow with the
//   ledger (the state root is an incremental LtHash);
// - the limits: raw WebCrypto Ed25519 verify/s and noble SHA-256 rate.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import {
  addressOf,
  applyBlock,
  applyChanges,
  buildBlock,
  decodeTx,
  encodeTx,
  genesisState,
  txHash,
  txSignBytes,
  type Block,
  type LedgerState,
  type Tx,
} from '../src/lib/core/index';
import { webCryptoVerifier } from '../src/lib/crypto/index';
import { makeGenesis, newKeys, signTx } from '../test/support/fixtures';

const RUNS = 5;
const APPLY_RUNS = 7;
const TXS = 1_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timeMs(fn: () => unknown | Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function medianMs(fn: () => unknown | Promise<unknown>, runs = RUNS): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeMs(fn));
  return median(times);
}

// ---------------------------------------------------------------------------------------------
// Per-tx pipeline

const [validatorKey, ...senders] = await newKeys(1 + 50);
const genesis = makeGenesis([validatorKey!], {
  balances: senders.map((k) => ({ address: addressOf(k.publicKey), amount: 1_000_000 })),
});
const chainState = genesisState(genesis);
const signed: Tx[] = [];
for (let i = 0; i < TXS; i++) {
  const key = senders[i % senders.length]!;
  signed.push(
    await signTx(key, {
      chainId: chainState.chainId,
      nonce: Math.floor(i / senders.length),
      kind: 'transfer',
      body: { to: addressOf(senders[(i + 1) % senders.length]!.publicKey), amount: 1 },
    }),
  );
}
const wire = signed.map(encodeTx);
const verifier = webCryptoVerifier();

const encodeMs = await medianMs(() => signed.forEach((tx) => encodeTx(tx)));
const decodeMs = await medianMs(() => wire.forEach((bytes) => decodeTx(bytes)));
const hashMs = await medianMs(() => signed.forEach((tx) => txHash(tx)));
const signBytesMs = await medianMs(() => signed.forEach((tx) => txSignBytes(tx)));
const verifyMs = await medianMs(() =>
  Promise.all(signed.map((tx) => verifier.verify(tx.from, txSignBytes(tx), tx.signature))),
);
const pipelineMs = await medianMs(async () => {
  const txs = wire.map((bytes) => decodeTx(bytes));
  for (const tx of txs) txHash(tx);
  const verdicts = await Promise.all(
    txs.map((tx) => verifier.verify(tx.from, txSignBytes(tx), tx.signature)),
  );
  if (verdicts.some((v) => !v)) throw new Error('bench: a signature failed');
});

// ---------------------------------------------------------------------------------------------
// Limits: raw WebCrypto verify and noble SHA-256

const rawKeys = await Promise.all(
  senders.map((k) =>
    crypto.subtle.importKey('raw', k.publicKey.slice(), 'Ed25519', false, ['verify']),
  ),
);
const rawInputs = signed.map((tx, i) => ({
  key: rawKeys[i % senders.length]!,
  message: txSignBytes(tx).slice(),
  signature: tx.signature.slice(),
}));
const rawVerifyMs = await medianMs(() =>
  Promise.all(rawInputs.map((x) => crypto.subtle.verify('Ed25519', x.key, x.signature, x.message))),
);
const sha200 = new Uint8Array(200);
const SHA_COUNT = 20_000;
const sha200Ms = await medianMs(() => {
  for (let i = 0; i < SHA_COUNT; i++) nobleSha256(sha200);
});
const shaBig = new Uint8Array(4 * 1024 * 1024);
const shaBigMs = await medianMs(() => nobleSha256(shaBig));

// ---------------------------------------------------------------------------------------------
// applyBlock vs ledger size

function randomKey(seed: number): Uint8Array {
  const key = new Uint8Array(32);
  new DataView(key.buffer).setUint32(0, seed);
  key[31] = 0x5a;
  return key;
}

/** A state with `accounts` funded accounts (added directly: genesis allows 1,000 balances). */
function stateWithAccounts(accounts: number): { state: LedgerState; keys: Uint8Array[] } {
  const state = genesisState(genesis);
  const keys: Uint8Array[] = [];
  for (let i = 0; i < accounts; i++) {
    const key = randomKey(i);
    keys.push(key);
    state.accounts.set(addressOf(key), { balance: 1_000_000, nonce: 0 });
  }
  return { state, keys };
}

interface ApplyCase {
  state: LedgerState;
  block: Block;
  verdicts: boolean[];
}

function applyCase(accounts: number): ApplyCase {
  const { state, keys } = stateWithAccounts(accounts);
  // The same shape in both states: 1,000 distinct accounts touched, spread over the ledger;
  // tx i pays the sender of tx i + 1.
  const spread = (i: number) => keys[Math.floor((i * keys.length) / TXS)]!;
  const txs: Tx[] = [];
  for (let i = 0; i < TXS; i++) {
    txs.push({
      chainId: state.chainId,
      from: spread(i),
      nonce: 0,
      kind: 'transfer',
      body: { to: addressOf(spread((i + 1) % TXS)), amount: 1 },
      signature: new Uint8Array(64),
    });
  }
  const block = buildBlock(state, {
    txs,
    time: state.lastBlockTime + 1000,
    proposer: state.validators.validators[0]!.address,
    lastCommit: null,
  });
  const verdicts = txs.map(() => true);
  const { results } = applyBlock(state, block, verdicts);
  if (results.some((r) => r.code !== 'ok')) throw new Error('bench: a transfer failed');
  return { state, block, verdicts };
}

const small = applyCase(1_000);
const large = applyCase(100_000);
// Interleaved, so load from other processes on this shared machine hits both sizes alike.
const applyTimes = { small: [] as number[], large: [] as number[] };
for (let run = 0; run < APPLY_RUNS; run++) {
  for (const [name, c] of [
    ['small', small],
    ['large', large],
  ] as const) {
    applyTimes[name].push(await timeMs(() => applyBlock(c.state, c.block, c.verdicts)));
  }
}
const applySmallMs = median(applyTimes.small);
const applyLargeMs = median(applyTimes.large);
const changesMs = (c: ApplyCase) => {
  const { changes } = applyBlock(c.state, c.block, c.verdicts);
  const start = performance.now();
  applyChanges(c.state, changes);
  return performance.now() - start;
};
const changesSmallMs = changesMs(small);
const changesLargeMs = changesMs(large);

// ---------------------------------------------------------------------------------------------
// Report

const perTxUs = (ms: number) => (ms * 1000) / TXS;
const rawVerifyPerS = TXS / (rawVerifyMs / 1000);
const protocolVerifyPerS = TXS / (verifyMs / 1000);
const sha200PerS = SHA_COUNT / (sha200Ms / 1000);
const shaMBps = shaBig.length / 1e6 / (shaBigMs / 1000);
const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const rows: Array<[string, string, string]> = [
  ['encodeTx', `${fmt(perTxUs(encodeMs))} µs/tx`, ''],
  ['decodeTx (strict + re-encode check)', `${fmt(perTxUs(decodeMs))} µs/tx`, ''],
  ['txHash (encode + SHA-256)', `${fmt(perTxUs(hashMs))} µs/tx`, ''],
  ['txSignBytes', `${fmt(perTxUs(signBytesMs))} µs/tx`, ''],
  [
    'verify (pre-checks + WebCrypto, 1,000 in flight)',
    `${fmt(perTxUs(verifyMs))} µs/tx (${fmt(protocolVerifyPerS, 0)}/s)`,
    `${fmt(rawVerifyPerS / protocolVerifyPerS, 2)}× raw verify time`,
  ],
  [
    '**decode + hash + verify per tx**',
    `**${fmt(perTxUs(pipelineMs))} µs/tx** (${fmt(TXS / (pipelineMs / 1000), 0)} tx/s)`,
    `${fmt(pipelineMs / rawVerifyMs, 2)}× the raw verify limit`,
  ],
  ['applyBlock, 1,000 transfers, 1k accounts', `${fmt(applySmallMs)} ms`, ''],
  [
    'applyBlock, 1,000 transfers, 100k accounts',
    `${fmt(applyLargeMs)} ms`,
    `${fmt(applyLargeMs / applySmallMs, 2)}× the 1k-account time (100× the state)`,
  ],
  [
    'applyChanges (1k / 100k accounts)',
    `${fmt(changesSmallMs, 2)} / ${fmt(changesLargeMs, 2)} ms`,
    '',
  ],
  ['limit: raw WebCrypto Ed25519 verify', `${fmt(rawVerifyPerS, 0)}/s`, ''],
  [
    'limit: noble SHA-256',
    `${fmt(sha200PerS, 0)}/s of 200 B; ${fmt(shaMBps)} MB/s bulk`,
    `txHash = ${fmt((perTxUs(hashMs) * sha200PerS) / 1e6, 2)}× one 200 B hash`,
  ],
];

console.log(
  `Ledger core, Node ${process.version}, median of ${RUNS} runs (applyBlock: ${APPLY_RUNS}, interleaved), ${TXS} txs, load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores\n`,
);
console.log('| measure | value | ratio |');
console.log('|---|---|---|');
for (const [name, value, ratio] of rows) console.log(`| ${name} | ${value} | ${ratio} |`);

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/core.json', import.meta.url),
  JSON.stringify(
    {
      node: process.version,
      runs: RUNS,
      txs: TXS,
      perTxUs: {
        encode: perTxUs(encodeMs),
        decode: perTxUs(decodeMs),
        hash: perTxUs(hashMs),
        signBytes: perTxUs(signBytesMs),
        verify: perTxUs(verifyMs),
        pipeline: perTxUs(pipelineMs),
      },
      applyBlockMs: { accounts1k: applySmallMs, accounts100k: applyLargeMs },
      applyChangesMs: { accounts1k: changesSmallMs, accounts100k: changesLargeMs },
      rawVerifyPerS,
      sha256PerS200B: sha200PerS,
      sha256MBps: shaMBps,
    },
    null,
    2,
  ),
);
