// The chain row 4 (fresh-tab sync) serves: BLOCKS blocks of TXS_PER_BLOCK transfers, signed by
// real Ed25519 keys (WebCrypto), each block committed by the precommits of all 4 validators.
// Built in Node with the core (buildBlock / applyBlock, no verification: we signed it), and
// cached under the OS tmp dir keyed by the parameters and the core's source, since a change to
// hashing or the state root changes every header. The cache is never committed.
// `access: 'private'`: the genesis carries membership (every validator and sender a member, each
// with an X25519 box key) and the chain comes with the creator's keyring (network secret and the
// epoch-0 key), which the serving peer seals frames with and the invite link carries.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyBlock, applyChanges } from '../src/lib/core/apply';
import { buildBlock } from '../src/lib/core/block';
import { blockTimeFor } from '../src/lib/core/block-time';
import {
  decodeGenesis,
  decodeValue,
  encodeBlock,
  encodeCommit,
  encodeGenesis,
  encodeValue,
} from '../src/lib/core/encoding';
import { genesisState } from '../src/lib/core/genesis';
import { blockHash } from '../src/lib/core/hash';
import { txSignBytes, voteSignBytes } from '../src/lib/core/signing';
import type { Block, Commit, CommitSig, Genesis, Tx, UnsignedTx } from '../src/lib/core/types';
import type { EncodedBlock } from '../src/lib/net/network';
import { generateSigningKey, type SigningKey } from '../src/lib/crypto/index';
import { addressOf } from '../src/lib/core/hash';
import { generateBoxKey } from '../src/lib/crypto/box';
import { newPrivateLedger } from '../src/lib/node/private-ledger';
import type { StoredKeyring } from '../src/lib/store/types';

export interface SyncChainParams {
  blocks: number;
  txsPerBlock: number;
  validators: number;
  /** Default 'public'. */
  access?: 'public' | 'private';
}

export interface SyncChain {
  params: SyncChainParams;
  genesis: Genesis;
  encoded: EncodedBlock[];
  txs: number;
  bytes: number;
  /** Building time, or 0 when it came from the cache. */
  buildMs: number;
  cached: boolean;
  /** A private chain's keyring (the creator's); null for a public one. */
  keyring: StoredKeyring | null;
}

const GENESIS_TIME_MS = 1_700_000_000_000;
const BLOCK_INTERVAL_MS = 1_000;
const BALANCE = 1_000_000_000;
/** Signatures in flight at once while signing the txs ahead. */
const SIGN_IN_FLIGHT_MAX = 2_000;
const CACHE_DIR = join(tmpdir(), 'ledger-bench-sync');

async function sign(key: SigningKey, message: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(
    await crypto.subtle.sign('Ed25519', key.keyPair.privateKey, message.slice()),
  );
}

/** Every .ts under src/lib/core, and this builder: the chain's bytes depend on nothing else. */
function coreDigest(): string {
  const dir = fileURLToPath(new URL('../src/lib/core', import.meta.url));
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('.ts')) hash.update(name).update(readFileSync(join(dir, name)));
  }
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  return hash.digest('hex').slice(0, 16);
}

function cachePath(params: SyncChainParams): string {
  const { blocks, txsPerBlock, validators } = params;
  const access = params.access === 'private' ? '-private' : '';
  return join(
    CACHE_DIR,
    `chain-${blocks}x${txsPerBlock}-v${validators}${access}-${coreDigest()}.cbor`,
  );
}

/** Every key a member, the first validator the creator (admission: any one validator). */
async function privateAccess(
  keys: readonly SigningKey[],
): Promise<Pick<Genesis, 'membership'> & { keyring: StoredKeyring }> {
  const members = await Promise.all(
    keys.map(async (key) => ({
      publicKey: key.publicKey,
      boxKey: (await generateBoxKey()).publicKey,
    })),
  );
  const created = newPrivateLedger(members[0]!, 'any-validator');
  return {
    membership: { ...created.membership, members },
    keyring: created.keyring,
  };
}

async function build(params: SyncChainParams): Promise<Omit<SyncChain, 'buildMs' | 'cached'>> {
  const validatorKeys = await Promise.all(
    Array.from({ length: params.validators }, () => generateSigningKey()),
  );
  const senders = await Promise.all(
    Array.from({ length: params.txsPerBlock }, () => generateSigningKey()),
  );
  const genesis: Genesis = {
    name: 'sync bench',
    time: GENESIS_TIME_MS,
    validators: validatorKeys.map((key) => ({ publicKey: key.publicKey, power: 10 })),
    balances: [...validatorKeys, ...senders].map((key) => ({
      address: addressOf(key.publicKey),
      amount: BALANCE,
    })),
    salt: new Uint8Array(16),
  };
  let keyring: StoredKeyring | null = null;
  if (params.access === 'private') {
    const access = await privateAccess([...validatorKeys, ...senders]);
    genesis.membership = access.membership;
    keyring = access.keyring;
  }
  const state = genesisState(genesis);
  const keyOf = new Map(validatorKeys.map((key) => [addressOf(key.publicKey), key]));

  // Sender s's tx in block b has nonce b: every tx can be signed before any block exists.
  const txAt = (b: number, s: number): UnsignedTx => ({
    chainId: state.chainId,
    from: (senders[s] as SigningKey).publicKey,
    nonce: b,
    kind: 'transfer',
    body: { to: addressOf((senders[(s + 1) % senders.length] as SigningKey).publicKey), amount: 1 },
  });
  const txs: Tx[] = new Array(params.blocks * params.txsPerBlock);
  for (let start = 0; start < txs.length; start += SIGN_IN_FLIGHT_MAX) {
    const end = Math.min(txs.length, start + SIGN_IN_FLIGHT_MAX);
    const signed = await Promise.all(
      Array.from({ length: end - start }, async (_, k) => {
        const i = start + k;
        const unsigned = txAt(Math.floor(i / params.txsPerBlock), i % params.txsPerBlock);
        const key = senders[i % params.txsPerBlock] as SigningKey;
        return { ...unsigned, signature: await sign(key, txSignBytes(unsigned)) };
      }),
    );
    for (const [k, tx] of signed.entries()) txs[start + k] = tx;
  }

  const encoded: EncodedBlock[] = [];
  let lastCommit: Commit | null = null;
  let bytes = 0;
  for (let b = 0; b < params.blocks; b++) {
    const blockTxs = txs.slice(b * params.txsPerBlock, (b + 1) * params.txsPerBlock);
    const block: Block = buildBlock(state, {
      txs: blockTxs,
      // BFT time: what the last commit's precommit stamps say (genesis time + 1 ms at height 1).
      time: blockTimeFor(state, lastCommit) ?? state.lastBlockTime + 1,
      proposer: (state.validators.validators[0] as { address: string }).address,
      lastCommit,
    });
    const set = state.validators;
    const { changes, results } = applyBlock(
      state,
      block,
      blockTxs.map(() => true),
    );
    const failed = results.find((r) => r.code !== 'ok');
    if (failed) throw new Error(`sync chain: block ${b + 1} has a failed tx (${failed.code})`);
    applyChanges(state, changes);
    const hash = blockHash(block);
    // Every validator precommits a block interval after the block: the next block's BFT time.
    const timestamp = block.header.time + BLOCK_INTERVAL_MS;
    const signatures = await Promise.all(
      set.validators.map(async (validator): Promise<CommitSig> => {
        const key = keyOf.get(validator.address) as SigningKey;
        const signature = await sign(
          key,
          voteSignBytes({
            chainId: state.chainId,
            height: block.header.height,
            round: 0,
            type: 'precommit',
            blockHash: hash,
            timestamp,
            validator: validator.address,
          }),
        );
        return { kind: 'commit', timestamp, signature };
      }),
    );
    const commit: Commit = { height: block.header.height, round: 0, blockHash: hash, signatures };
    lastCommit = commit;
    const entry = { height: b + 1, block: encodeBlock(block), commit: encodeCommit(commit) };
    bytes += entry.block.byteLength + entry.commit.byteLength;
    encoded.push(entry);
  }
  return { params, genesis, encoded, txs: txs.length, bytes, keyring };
}

/** The chain for `params`, from the cache when the core has not changed since it was built. */
export async function syncChain(params: SyncChainParams): Promise<SyncChain> {
  const path = cachePath(params);
  if (existsSync(path)) {
    const [genesisBytes, blocks, access] = decodeValue(
      readFileSync(path),
      Number.MAX_SAFE_INTEGER,
    ) as [Uint8Array, [Uint8Array, Uint8Array][], [Uint8Array, Uint8Array] | undefined];
    const genesis = decodeGenesis(genesisBytes);
    const encoded = blocks.map(([block, commit], i) => ({ height: i + 1, block, commit }));
    return {
      params,
      genesis,
      keyring: access && genesis.membership ? keyringOf(genesis, access) : null,
      encoded,
      txs: params.blocks * params.txsPerBlock,
      bytes: encoded.reduce((sum, e) => sum + e.block.byteLength + e.commit.byteLength, 0),
      buildMs: 0,
      cached: true,
    };
  }
  const startMs = performance.now();
  const chain = await build(params);
  const buildMs = performance.now() - startMs;
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(
    path,
    encodeValue([
      encodeGenesis(chain.genesis),
      chain.encoded.map((e) => [e.block, e.commit]),
      // A public chain's file keeps its two fields (as before this field existed).
      ...(chain.keyring
        ? [[chain.keyring.networkSecret, chain.keyring.epochs[0]?.key as Uint8Array]]
        : []),
    ]),
  );
  return { ...chain, buildMs, cached: false };
}

/** The creator's keyring of a cached private chain: its secret and the key of epoch 0. */
function keyringOf(
  genesis: Genesis,
  [networkSecret, key]: [Uint8Array, Uint8Array],
): StoredKeyring {
  const keyHash = (genesis.membership as { keyHash: Uint8Array }).keyHash;
  return {
    networkSecret,
    epochs: [{ epoch: 0, key, fromHeight: 0, keyHash, wrappedPrevious: null }],
  };
}
