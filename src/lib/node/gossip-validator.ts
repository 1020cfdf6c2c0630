// The node's half of edge validation: after the network checked the envelope (chain id, topic,
// size, replays), this decodes the payload with the core — once: an accepted message carries
// its decoded form on to the inbox — and checks what can be checked before delivery:
// signatures, membership, the height window, and for evidence the very rule block validation
// applies. 'reject' costs the sender gossipsub score (the message is provably bad); 'ignore'
// drops without blame (stale, ahead, not yet valid).
import { checkInclusion } from '../core/apply';
import { blockHash, bytesEqual } from '../core/hash';
import {
  DecodeError,
  decodeBlock,
  decodeEvidence,
  decodeProposalMessage,
  decodeVote,
} from '../core/encoding';
import { evidenceSetForHeight, setForHeight } from '../core/block';
import {
  joinSignBytes,
  possessionSignBytes,
  proposalSignBytes,
  txSignBytes,
  voteSignBytes,
  type Verifier,
} from '../core/signing';
import type { LedgerState } from '../core/state';
import { findValidator } from '../core/validators';
import type { MessageValidator, Verdict } from '../net/network';
import {
  decodeDecidedCommit,
  decodeJoinRequest,
  decodeTxBatch,
  type DecidedBlock,
  type JoinRequestMessage,
  type TxBatch,
} from './wire';
import { commitSignatureChecks, judgeCommit } from './commit-check';
import { GOSSIP_HEIGHTS_AHEAD_MAX } from './params';
import { verifyAll } from './verify';
import { evidenceError } from '../core/validate';
import type { Evidence, ProposalMessage, Vote } from '../core/types';
import type { MessageType } from '../net/message-types';

/** Each gossip type as the validator decodes it (what an accepted message carries on). */
export interface DecodedGossip extends Record<MessageType, unknown> {
  tx: TxBatch;
  proposal: ProposalMessage;
  vote: Vote;
  commit: DecidedBlock;
  evidence: Evidence;
  join: JoinRequestMessage;
}

export interface GossipValidatorDeps {
  /** The node's committed state (its height is the last committed block). */
  state(): LedgerState;
  verifier: Verifier;
  /** A peer showed a decided block beyond our next height: we are behind. */
  onAhead(height: number, from: string): void;
}

const accept = (message: DecodedGossip[MessageType]): Verdict => ({ result: 'accept', message });
const reject = (reason: string): Verdict => ({ result: 'reject', reason });
const ignore = (reason: string): Verdict => ({ result: 'ignore', reason });

export function createGossipValidator(deps: GossipValidatorDeps): MessageValidator {
  const { verifier } = deps;

  /**
   * The set that signs consensus messages at `height`, as far as the state knows: the last
   * block's and the next one's, and the one after (state.nextValidators).
   */
  function signingSet(state: LedgerState, height: number) {
    return (
      setForHeight(state, height) ?? (height === state.height + 2 ? state.nextValidators : null)
    );
  }

  /**
   * A validator signed a message for a height past our next one: the chain went on without us
   * (or that validator lies, which costs it a key and us one catch-up attempt per interval).
   */
  function noteAhead(state: LedgerState, height: number, from: string): void {
    if (height > state.height + 1) deps.onAhead(height - 1, from);
  }

  function heightWindow(height: number): Verdict | null {
    const next = deps.state().height + 1;
    if (height < next - 1) return ignore('stale-height');
    if (height > next + GOSSIP_HEIGHTS_AHEAD_MAX) return ignore('height-too-far-ahead');
    return null;
  }

  return async (type, payload, from) => {
    try {
      const state = deps.state();
      switch (type) {
        case 'tx': {
          // A batch stands or falls whole: honest nodes only sign and forward valid txs.
          const batch = decodeTxBatch(payload);
          const { txs } = batch;
          if (txs.some((tx) => tx.chainId !== state.chainId)) return reject('wrong-chain');
          const verdicts = await verifyAll(
            verifier,
            txs.map((tx) => ({
              publicKey: tx.from,
              message: txSignBytes(tx),
              signature: tx.signature,
            })),
          );
          if (!verdicts.every(Boolean)) return reject('bad-signature');
          // The inclusion rules: an outsider's txs (no account, not a validator) or malformed
          // ones go no further than this node, and cost their sender score. Txs already
          // committed (a resubmit racing its block) only make the batch useless.
          let stale = 0;
          for (const tx of txs) {
            const { code } = checkInclusion(state, tx, true);
            if (code === 'nonce-too-low') stale += 1;
            else if (code !== 'ok' && code !== 'nonce-gap') return reject(`tx-${code}`);
          }
          return stale === txs.length ? ignore('already-committed') : accept(batch);
        }
        case 'vote': {
          const vote = decodeVote(payload);
          if (vote.chainId !== state.chainId) return reject('wrong-chain');
          const window = heightWindow(vote.height);
          if (window) return window;
          const set = signingSet(state, vote.height);
          if (set === null) return ignore('unknown-validator-set');
          const validator = findValidator(set, vote.validator);
          if (!validator) return reject('not-a-validator');
          const ok = await verifier.verify(
            validator.publicKey,
            voteSignBytes(vote),
            vote.signature,
          );
          if (!ok) return reject('bad-signature');
          noteAhead(state, vote.height, from);
          return accept(vote);
        }
        case 'proposal': {
          const message = decodeProposalMessage(payload);
          const { proposal, block } = message;
          if (proposal.chainId !== state.chainId) return reject('wrong-chain');
          if (!bytesEqual(blockHash(block), proposal.blockHash))
            return reject('block-hash-mismatch');
          if (block.header.height !== proposal.height) return reject('block-height-mismatch');
          const window = heightWindow(proposal.height);
          if (window) return window;
          const set = signingSet(state, proposal.height);
          if (set === null) return ignore('unknown-validator-set');
          const validator = findValidator(set, proposal.proposer);
          if (!validator) return reject('not-a-validator');
          const ok = await verifier.verify(
            validator.publicKey,
            proposalSignBytes(proposal),
            proposal.signature,
          );
          if (!ok) return reject('bad-signature');
          noteAhead(state, proposal.height, from);
          return accept(message);
        }
        case 'commit': {
          // Most copies arrive at validators that committed the block already: the commit's
          // height settles those before the block is decoded. The rest is checked on the block.
          const { commit, blockBytes, commitBytes } = decodeDecidedCommit(payload);
          if (commit.height <= state.height) return ignore('already-committed');
          const block = decodeBlock(blockBytes);
          const height = block.header.height;
          if (block.header.chainId !== state.chainId) return reject('wrong-chain');
          if (height <= state.height) return ignore('already-committed');
          if (height > state.height + 1) {
            deps.onAhead(height, from);
            return ignore('ahead-of-us');
          }
          const checks = commitSignatureChecks(state.chainId, state.validators, commit);
          const verdicts = await verifyAll(verifier, checks.checks);
          const verdict = judgeCommit(
            state.validators,
            commit,
            height,
            blockHash(block),
            checks,
            verdicts,
          );
          return verdict.ok
            ? accept({ block, commit, blockBytes, commitBytes })
            : reject(verdict.reason);
        }
        case 'evidence': {
          const evidence = decodeEvidence(payload);
          const { voteA, voteB } = evidence;
          if (voteA.chainId !== state.chainId) return reject('wrong-chain');
          // Evidence the next block could not carry is never pooled: a pair that is no
          // equivocation (one vote twice, a prevote and a precommit) is provably bad; one that is
          // too old, or from a set this node does not know, is only useless.
          const error = evidenceError(state, evidence);
          if (error?.kind === 'malformed') return reject('evidence-malformed');
          if (error) return ignore('evidence-not-includable');
          const set = evidenceSetForHeight(state, voteA.height);
          const validator = set && findValidator(set, voteA.validator);
          if (!validator) return ignore('unknown-validator');
          const [okA, okB] = await verifyAll(verifier, [
            {
              publicKey: validator.publicKey,
              message: voteSignBytes(voteA),
              signature: voteA.signature,
            },
            {
              publicKey: validator.publicKey,
              message: voteSignBytes(voteB),
              signature: voteB.signature,
            },
          ]);
          return okA && okB ? accept(evidence) : reject('bad-signature');
        }
        case 'join': {
          // Signed by the key it asks for, for this chain: nobody can ask in another's name,
          // and the proof of possession it carries is checked before a validator relies on it.
          const request = decodeJoinRequest(payload);
          const [signed, possessed] = await verifyAll(verifier, [
            {
              publicKey: request.publicKey,
              message: joinSignBytes(
                state.chainId,
                request.publicKey,
                request.label,
                request.kind,
                request.boxKey,
                request.asks,
              ),
              signature: request.signature,
            },
            {
              publicKey: request.publicKey,
              message: possessionSignBytes(state.chainId, request.publicKey),
              signature: request.possession,
            },
          ]);
          return signed && possessed ? accept(request) : reject('bad-signature');
        }
        default: {
          const unreachable: never = type;
          return reject(`unknown-type-${String(unreachable)}`);
        }
      }
    } catch (error) {
      if (error instanceof DecodeError) return reject(`decode-${error.reason}`);
      throw error;
    }
  };
}
