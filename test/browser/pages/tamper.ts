// Test page: a tampering peer. A real libp2p node on a ledger's mesh (same transports, relay
// discovery and gossipsub topics as a tab's node) that is not a validator and publishes garbage
// on the ledger's topics: undecodable bytes, oversized messages, txs and votes with bad
// signatures, a tx from an honest account signed by the wrong key, a proposal from a
// non-validator and a decided block that is invalid with a forged commit. Driven by
// test/browser/tampering.test.ts through window.tamper.
import { encode } from 'cborg';
import { evidenceHash, txsRoot } from '$lib/core/block';
import {
  encodeBlock,
  encodeCommit,
  encodeProposalMessage,
  encodeTx,
  encodeVote,
} from '$lib/core/encoding';
import { addressOf, blockHash, fromHex, toHex, txHash } from '$lib/core/hash';
import { proposalSignBytes, txSignBytes, voteSignBytes, type Signer } from '$lib/core/signing';
import type { Block, Commit, Tx, UnsignedTx } from '$lib/core/types';
import { generateSigningKey, webCryptoSigner } from '$lib/crypto/index';
import { createBrowserNetwork, fetchRelays } from '$lib/net/browser-network';
import type { Libp2pNetwork } from '$lib/net/libp2p-network';
import {
  ENVELOPE_VERSION,
  GOSSIP_MESSAGE_BYTES_MAX,
  GOSSIP_RPC_BYTES_MAX,
  PAYLOAD_BYTES_MAX,
} from '$lib/net/limits';
import { topicString, type TopicName } from '$lib/net/message-types';
import type { PeerSummary } from '$lib/net/network';
import { encodeDecided, encodeTxBatch } from '$lib/node/wire';

/** The honest ledger as the test sees it (from an honest device's window.ledger). */
export interface Victims {
  /** The validator set in order: address and public key (hex). */
  validators: { address: string; publicKey: string }[];
}

export type AttackKind =
  | 'garbage'
  | 'tampered-tx'
  | 'stolen-tx'
  | 'unfunded-tx'
  | 'forged-vote'
  | 'forged-proposal'
  | 'forged-block'
  | 'far-ahead-block'
  | 'too-large'
  | 'oversized-payload'
  | 'huge-frame';

export interface Attack {
  kind: AttackKind;
  topic: TopicName;
  /** Hashes (hex) of forged txs and blocks, to look for on the honest devices. */
  txHashes: string[];
  blockHashes: string[];
  /** The height the forged consensus message or block claims (head + 1). */
  height: number | null;
  bytes: number;
}

interface TamperPage {
  ready: true;
  start(options: { chainId: string }): Promise<{ peerId: string; address: string }>;
  /** This peer's account address (derived from its signing key). */
  address(): string;
  peers(): PeerSummary[];
  /** Peers this node's gossipsub knows to be subscribed to a ledger topic. */
  subscribers(topic: TopicName): string[];
  attack(kind: AttackKind, victims: Victims): Promise<Attack>;
  stop(): Promise<void>;
}

declare global {
  interface Window {
    tamper: TamperPage;
  }
}

/** How far beyond the honest head the 'far-ahead-block' forgery claims to be. */
export const FAR_AHEAD_HEIGHTS = 1_000_000;

let network: Libp2pNetwork | null = null;
let signer: Signer | null = null;
let chainId = '';

function started(): { network: Libp2pNetwork; signer: Signer } {
  if (!network || !signer) throw new Error('tamper: not started');
  return { network, signer };
}

function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 65_536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(length, offset + 65_536)));
  }
  return bytes;
}

/** The honest head as the honest peers report it in the sync status exchange. */
async function honestHead(): Promise<{ height: number; hash: Uint8Array }> {
  const { network } = started();
  await network.refreshStatuses();
  let head: { height: number; hash: Uint8Array } = { height: 0, hash: new Uint8Array(32) };
  for (const peer of network.peers()) {
    if (peer.status && peer.status.height > head.height) {
      head = { height: peer.status.height, hash: peer.status.headHash };
    }
  }
  if (head.height === 0) throw new Error('tamper: no honest peer reported its head');
  return head;
}

async function signedTx(unsigned: UnsignedTx, by: Signer): Promise<Tx> {
  return { ...unsigned, signature: await by.sign(txSignBytes(unsigned)) };
}

/** A transfer from the first validator's account, signed by this peer's key. */
async function stolenTx(victims: Victims): Promise<Tx> {
  const { signer } = started();
  const victim = victims.validators[0];
  if (!victim) throw new Error('tamper: no validators given');
  return signedTx(
    {
      chainId,
      from: fromHex(victim.publicKey),
      nonce: 0,
      kind: 'transfer',
      body: { to: addressOf(signer.publicKey), amount: 1 },
    },
    signer,
  );
}

/** The whole envelope encoded by hand, so that no limit on the sending side applies. */
function envelope(type: string, payload: Uint8Array): Uint8Array {
  return encode([ENVELOPE_VERSION, type, chainId, payload]);
}

/** A forgery ready to publish: what the test needs to know about it, and its bytes. */
type Forged = Omit<Attack, 'bytes'> & { data: Uint8Array };

async function forge(kind: AttackKind, victims: Victims): Promise<Forged> {
  const { signer } = started();
  const self = addressOf(signer.publicKey);
  const none = { txHashes: [], blockHashes: [], height: null };
  switch (kind) {
    case 'garbage':
      return { kind, topic: 'tx', ...none, data: new TextEncoder().encode('garbage, not CBOR') };
    case 'tampered-tx': {
      // Signed for 1, then changed to 500: the signature no longer matches.
      const tx = await signedTx(
        {
          chainId,
          from: signer.publicKey,
          nonce: 0,
          kind: 'transfer',
          body: { to: self, amount: 1 },
        },
        signer,
      );
      const tampered: Tx = { ...tx, body: { to: self, amount: 500 } };
      return txAttack(kind, tampered);
    }
    case 'stolen-tx':
      return txAttack(kind, await stolenTx(victims));
    case 'unfunded-tx': {
      // Correctly signed, but this peer's account holds nothing: admissible at the edge,
      // never executable.
      const transfer = await signedTx(
        {
          chainId,
          from: signer.publicKey,
          nonce: 0,
          kind: 'transfer',
          body: { to: victims.validators[0]?.address ?? self, amount: 1_000 },
        },
        signer,
      );
      return txAttack(kind, transfer);
    }
    case 'forged-vote': {
      const head = await honestHead();
      const victim = victims.validators[0];
      if (!victim) throw new Error('tamper: no validators given');
      const unsigned = {
        chainId,
        height: head.height + 1,
        round: 0,
        type: 'precommit' as const,
        blockHash: randomBytes(32),
        timestamp: Date.now(),
        validator: victim.address,
      };
      const vote = { ...unsigned, signature: await signer.sign(voteSignBytes(unsigned)) };
      const data = envelope('vote', encodeVote(vote));
      return { kind, topic: 'consensus', ...none, height: head.height + 1, data };
    }
    case 'forged-proposal': {
      const head = await honestHead();
      const block = await invalidBlock(head, victims, self);
      const unsigned = {
        chainId,
        height: head.height + 1,
        round: 0,
        polRound: -1,
        blockHash: blockHash(block),
        proposer: self,
      };
      const proposal = { ...unsigned, signature: await signer.sign(proposalSignBytes(unsigned)) };
      const data = envelope('proposal', encodeProposalMessage({ proposal, block }));
      return {
        kind,
        topic: 'consensus',
        txHashes: block.txs.map((tx) => toHex(txHash(tx))),
        blockHashes: [toHex(blockHash(block))],
        height: head.height + 1,
        data,
      };
    }
    case 'forged-block':
    case 'far-ahead-block': {
      // Head + 1, or a made-up height far beyond the honest head (claims the honest nodes
      // are behind).
      const head = await honestHead();
      const claimed =
        kind === 'forged-block'
          ? head
          : { height: head.height + FAR_AHEAD_HEIGHTS, hash: head.hash };
      const block = await invalidBlock(claimed, victims, victims.validators[0]?.address ?? self);
      const hash = blockHash(block);
      // Every validator's slot "signed" by this peer's key.
      const commit: Commit = {
        height: claimed.height + 1,
        round: 0,
        blockHash: hash,
        signatures: [],
      };
      for (const validator of victims.validators) {
        const timestamp = Date.now();
        const vote = {
          chainId,
          height: commit.height,
          round: 0,
          type: 'precommit' as const,
          blockHash: hash,
          timestamp,
          validator: validator.address,
        };
        commit.signatures.push({
          kind: 'commit',
          timestamp,
          signature: await signer.sign(voteSignBytes(vote)),
        });
      }
      const data = envelope('commit', encodeDecided(encodeBlock(block), encodeCommit(commit)));
      return {
        kind,
        topic: 'blocks',
        txHashes: block.txs.map((tx) => toHex(txHash(tx))),
        blockHashes: [toHex(hash)],
        height: claimed.height + 1,
        data,
      };
    }
    case 'too-large':
      // Bigger than any envelope may be, yet within one gossipsub frame: reaches the validator.
      return {
        kind,
        topic: 'blocks',
        ...none,
        data: randomBytes(GOSSIP_MESSAGE_BYTES_MAX + 1_024),
      };
    case 'oversized-payload':
      return {
        kind,
        topic: 'tx',
        ...none,
        data: envelope('tx', randomBytes(PAYLOAD_BYTES_MAX.tx + 1)),
      };
    case 'huge-frame':
      // Bigger than one gossipsub frame may be: the receiver closes the stream unread.
      return { kind, topic: 'tx', ...none, data: randomBytes(GOSSIP_RPC_BYTES_MAX + 64 * 1_024) };
  }
}

function txAttack(kind: AttackKind, tx: Tx): Forged {
  return {
    kind,
    topic: 'tx' as const,
    txHashes: [toHex(txHash(tx))],
    blockHashes: [],
    height: null,
    data: envelope('tx', encodeTxBatch([encodeTx(tx)])),
  };
}

/** Block head + 1 that breaks the rules: a stolen tx and a made-up state root. */
async function invalidBlock(
  head: { height: number; hash: Uint8Array },
  victims: Victims,
  proposer: string,
): Promise<Block> {
  const txs = [await stolenTx(victims)];
  const evidence: Block['evidence'] = [];
  return {
    header: {
      chainId,
      height: head.height + 1,
      time: Date.now(),
      previousHash: head.hash,
      lastCommitHash: randomBytes(32),
      txsRoot: txsRoot(txs),
      evidenceHash: evidenceHash(evidence),
      stateRoot: randomBytes(32),
      validatorsHash: randomBytes(32),
      nextValidatorsHash: randomBytes(32),
      proposer,
    },
    txs,
    lastCommit: {
      height: head.height,
      round: 0,
      blockHash: head.hash,
      signatures: victims.validators.map(() => ({ kind: 'absent' as const })),
    },
    evidence,
  };
}

window.tamper = {
  ready: true,
  async start(options) {
    chainId = options.chainId;
    signer = webCryptoSigner(await generateSigningKey());
    network = await createBrowserNetwork(
      { chainId, relays: await fetchRelays(), iceServers: [] },
      {
        // Claims nothing: this peer serves no blocks.
        blocks: {
          getBlocks: async () => [],
          status: () => ({ chainId, height: 0, headHash: new Uint8Array(32) }),
        },
      },
    );
    await network.start();
    return { peerId: network.peerId, address: addressOf(signer.publicKey) };
  },
  address: () => addressOf(started().signer.publicKey),
  peers: () => network?.peers() ?? [],
  subscribers(topic) {
    const pubsub = started().network.node.services.pubsub;
    return pubsub.getSubscribers(topicString(chainId, topic)).map(String);
  },
  async attack(kind, victims) {
    const { network } = started();
    const { data, ...attack } = await forge(kind, victims);
    await network.node.services.pubsub.publish(topicString(chainId, attack.topic), data);
    return { ...attack, bytes: data.byteLength };
  },
  async stop() {
    await network?.stop();
    network = null;
  },
};
