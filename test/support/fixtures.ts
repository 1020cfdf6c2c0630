// Test fixtures for every layer: real keys (WebCrypto via src/lib/crypto), a genesis with N
// validators, signed txs and votes, and a valid chain of blocks with their commits.
//
//   const chain = await TestChain.create({ validators: 4, accounts: 2 });
//   const tx = await chain.transfer(chain.accounts[0]!, chain.accounts[1]!, 5);
//   const { block, commit } = await chain.addBlock({ txs: [tx] });
//
// Keep this API stable: the simulator, store and network tests build on it.

import { blockTimeFor } from '../../src/lib/core/block-time';
import {
  addressOf,
  applyBlock,
  applyChanges,
  blockHash,
  blockSignatureChecks,
  buildBlock,
  genesisState,
  makeValidatorSet,
  proposalSignBytes,
  possessionSignBytes,
  txSignBytes,
  validateBlock,
  voteSignBytes,
  type Address,
  type Block,
  type Commit,
  type CommitSig,
  type Evidence,
  type Genesis,
  type LedgerState,
  type Proposal,
  type SignatureCheck,
  type Tx,
  type TxBody,
  type TxKind,
  type TxResult,
  type UnsignedProposal,
  type UnsignedTx,
  type UnsignedVote,
  type ValidatorSet,
  type Verifier,
  type Vote,
} from '../../src/lib/core/index';
import { generateSigningKey, webCryptoVerifier, type SigningKey } from '../../src/lib/crypto/index';

export type { SigningKey };

export const GENESIS_TIME_MS = 1_700_000_000_000;
export const BLOCK_INTERVAL_MS = 1_000;
export const DEFAULT_BALANCE = 1_000_000;

/** n fresh Ed25519 keys (non-extractable WebCrypto key pairs). */
export async function newKeys(count: number): Promise<SigningKey[]> {
  return Promise.all(Array.from({ length: count }, () => generateSigningKey()));
}

export function addressOfKey(key: SigningKey): Address {
  return addressOf(key.publicKey);
}

export interface GenesisOptions {
  name?: string;
  time?: number;
  /** Power per validator (default 10 each). */
  powers?: number[];
  balances?: Array<{ address: Address; amount: number }>;
  salt?: Uint8Array;
}

export function makeGenesis(validators: SigningKey[], options: GenesisOptions = {}): Genesis {
  return {
    name: options.name ?? 'test ledger',
    time: options.time ?? GENESIS_TIME_MS,
    validators: validators.map((key, i) => ({
      publicKey: key.publicKey,
      power: options.powers?.[i] ?? 10,
    })),
    balances: options.balances ?? [],
    salt: options.salt ?? new Uint8Array(16),
  };
}

async function sign(key: SigningKey, message: Uint8Array): Promise<Uint8Array> {
  const signature = await crypto.subtle.sign('Ed25519', key.keyPair.privateKey, message.slice());
  return new Uint8Array(signature);
}

export async function signTx(key: SigningKey, tx: Omit<UnsignedTx, 'from'>): Promise<Tx> {
  const unsigned: UnsignedTx = { ...tx, from: key.publicKey };
  return { ...unsigned, signature: await sign(key, txSignBytes(unsigned)) };
}

/** A key holder's proof of possession for a validator-propose on `chainId`. */
export async function possession(key: SigningKey, chainId: string): Promise<Uint8Array> {
  return sign(key, possessionSignBytes(chainId, key.publicKey));
}

export async function signVote(key: SigningKey, vote: UnsignedVote): Promise<Vote> {
  return { ...vote, signature: await sign(key, voteSignBytes(vote)) };
}

export async function signProposal(key: SigningKey, proposal: UnsignedProposal): Promise<Proposal> {
  return { ...proposal, signature: await sign(key, proposalSignBytes(proposal)) };
}

const sharedVerifier = webCryptoVerifier();

/** Verdicts for a list of checks, in order (what a node's driver does). */
export async function verifyAll(
  checks: readonly SignatureCheck[],
  verifier: Verifier = sharedVerifier,
): Promise<boolean[]> {
  return Promise.all(checks.map((c) => verifier.verify(c.publicKey, c.message, c.signature)));
}

export interface CommitOptions {
  round?: number;
  /** Indexes (in set order) of validators that did not sign. */
  absent?: number[];
  /** Indexes that precommitted nil instead. */
  nil?: number[];
  timestamp?: number;
}

/** A commit for `block`, signed by the validators of `set` whose keys are in `keys`. */
export async function makeCommit(
  block: Block,
  set: ValidatorSet,
  keys: ReadonlyMap<Address, SigningKey>,
  options: CommitOptions = {},
): Promise<Commit> {
  const round = options.round ?? 0;
  const hash = blockHash(block);
  // The next block's BFT time is the median of these: blocks come BLOCK_INTERVAL_MS apart.
  const timestamp = options.timestamp ?? block.header.time + BLOCK_INTERVAL_MS;
  const signatures = await Promise.all(
    set.validators.map(async (validator, index): Promise<CommitSig> => {
      const key = keys.get(validator.address);
      if (!key || options.absent?.includes(index)) return { kind: 'absent' };
      const isNil = options.nil?.includes(index) === true;
      const vote = await signVote(key, {
        chainId: block.header.chainId,
        height: block.header.height,
        round,
        type: 'precommit',
        blockHash: isNil ? null : hash,
        timestamp,
        validator: validator.address,
      });
      return { kind: isNil ? 'nil' : 'commit', timestamp, signature: vote.signature };
    }),
  );
  return { height: block.header.height, round, blockHash: hash, signatures };
}

export interface TestChainOptions extends Omit<GenesisOptions, 'balances'> {
  /** Number of validators (default 4), each also funded with `balance`. */
  validators?: number;
  /** Number of extra funded non-validator accounts (default 0). */
  accounts?: number;
  balance?: number;
}

export interface AddBlockOptions {
  txs?: Tx[];
  time?: number;
  evidence?: Evidence[];
  proposer?: Address;
  commit?: CommitOptions;
}

export interface AddedBlock {
  block: Block;
  /** The commit for this block (it becomes the next block's lastCommit). */
  commit: Commit;
  results: TxResult[];
}

/** A genesis plus a live state that grows one valid, committed block at a time. */
export class TestChain {
  readonly blocks: Block[] = [];
  /** commits[i] commits blocks[i]. */
  readonly commits: Commit[] = [];
  readonly results: TxResult[][] = [];
  /** Next nonce per address, counting txs signed but not yet in a block. */
  private readonly nonces = new Map<Address, number>();
  readonly keysByAddress: Map<Address, SigningKey>;

  private constructor(
    readonly genesis: Genesis,
    readonly validatorKeys: SigningKey[],
    readonly accounts: SigningKey[],
    readonly state: LedgerState,
  ) {
    this.keysByAddress = new Map(
      [...validatorKeys, ...accounts].map((key) => [addressOfKey(key), key]),
    );
  }

  static async create(options: TestChainOptions = {}): Promise<TestChain> {
    const validatorKeys = await newKeys(options.validators ?? 4);
    const accounts = await newKeys(options.accounts ?? 0);
    const balance = options.balance ?? DEFAULT_BALANCE;
    const genesis = makeGenesis(validatorKeys, {
      ...options,
      balances: [...validatorKeys, ...accounts].map((key) => ({
        address: addressOfKey(key),
        amount: balance,
      })),
    });
    return new TestChain(genesis, validatorKeys, accounts, genesisState(genesis));
  }

  get chainId(): string {
    return this.state.chainId;
  }

  /** A new genesis state of this chain (to replay blocks elsewhere). */
  freshState(): LedgerState {
    return genesisState(this.genesis);
  }

  keyOf(address: Address): SigningKey {
    const key = this.keysByAddress.get(address);
    if (!key) throw new Error(`no key for ${address}`);
    return key;
  }

  /** The set that signs the next block, and that block's default proposer (first by address). */
  get currentValidators(): ValidatorSet {
    return this.state.validators;
  }

  private takeNonce(address: Address): number {
    const nonce = Math.max(
      this.nonces.get(address) ?? 0,
      this.state.accounts.get(address)?.nonce ?? 0,
    );
    this.nonces.set(address, nonce + 1);
    return nonce;
  }

  /** A signed tx from `key` with the next unused nonce (or `nonce` if given). */
  async tx(key: SigningKey, kind: TxKind, body: TxBody, nonce?: number): Promise<Tx> {
    const from = addressOfKey(key);
    return signTx(key, {
      chainId: this.chainId,
      nonce: nonce ?? this.takeNonce(from),
      kind,
      body,
    });
  }

  async transfer(from: SigningKey, to: SigningKey | Address, amount: number): Promise<Tx> {
    const address = typeof to === 'string' ? to : addressOfKey(to);
    return this.tx(from, 'transfer', { to: address, amount });
  }

  /** The next block on the current state, not applied (for tests that tamper with it). */
  buildNext(options: AddBlockOptions = {}): Block {
    const state = this.state;
    return buildBlock(state, {
      txs: options.txs ?? [],
      time:
        options.time ?? blockTimeFor(state, this.commits.at(-1) ?? null) ?? state.lastBlockTime + 1,
      proposer: options.proposer ?? state.validators.validators[0]!.address,
      lastCommit: this.commits.at(-1) ?? null,
      evidence: options.evidence ?? [],
    });
  }

  /** Builds, validates (throws if invalid), applies and commits the next block. */
  async addBlock(options: AddBlockOptions = {}): Promise<AddedBlock> {
    const block = this.buildNext(options);
    const verdicts = await verifyAll(blockSignatureChecks(this.state, block));
    const validation = validateBlock(this.state, block, verdicts);
    if (!validation.ok) {
      throw new Error(`fixture built an invalid block: ${validation.rule} ${validation.detail}`);
    }
    const signingSet = this.state.validators;
    const { changes, results } = applyBlock(this.state, block, verdicts);
    applyChanges(this.state, changes);
    const commit = await makeCommit(block, signingSet, this.keysByAddress, options.commit);
    this.blocks.push(block);
    this.commits.push(commit);
    this.results.push(results);
    return { block, commit, results };
  }

  /** Adds `count` blocks, each with the txs `makeTxs(i)` returns (default: empty). */
  async addBlocks(count: number, makeTxs?: (i: number) => Promise<Tx[]>): Promise<AddedBlock[]> {
    const added: AddedBlock[] = [];
    for (let i = 0; i < count; i++) added.push(await this.addBlock({ txs: await makeTxs?.(i) }));
    return added;
  }
}

export { makeValidatorSet };
