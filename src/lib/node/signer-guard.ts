// Double-sign protection with IO: nothing is signed unless the SignedState that forbids a
// conflicting signature is durable first (DESIGN: "persist before you publish").
//
// The pure decision is canSign (src/lib/consensus/signer-guard.ts). This wrapper
// - serializes requests (two concurrent sign requests must not both pass the check against the
//   same old state);
// - loads the last state once from the store (a restarted tab reads what the previous one saved);
// - saves the new state and awaits durability BEFORE producing the signature; if the save
//   fails, nothing is signed and the in-memory view keeps the old state;
// - signs identical re-requests again (rebroadcast after a restart) without a new write;
// - keeps the validator's lock in the saved state (withLock), so a restart can restore it
//   (restartPoint -> 'start-height' { round, lock });
// - keeps the votes signed at the current height in the saved state (SignedState.votes, a
//   write-ahead log), so a restart can re-count and re-broadcast them (votesAt).

import {
  canSign,
  signedStateOfProposal,
  signedStateOfVote,
  withLock,
  type SignDecision,
} from '../consensus/signer-guard';
import type { SignedState, SignerStateStore } from '../consensus/types';
import { bytesEqual } from '../core/bytes';
import { proposalSignBytes, voteSignBytes, type Signer } from '../core/signing';
import type { Block, Proposal, UnsignedProposal, UnsignedVote, Vote } from '../core/types';

/** Own votes kept per height for replay after a restart (oldest dropped beyond this). */
export const SIGNED_VOTES_KEPT_MAX = 64;

export type Refusal = Extract<SignDecision, { ok: false }>['refused'];

export class SignRefusedError extends Error {
  override name = 'SignRefusedError';
  constructor(readonly refused: Refusal) {
    super(`signer guard refused: ${refused}`);
  }
}

export interface SignerGuard {
  /**
   * Persist `next` if allowed; resolves once durable. Rejects with SignRefusedError otherwise.
   * `block`: for a non-nil precommit, the block itself, kept with the lock (see withLock).
   */
  authorize(next: SignedState, block?: Block): Promise<void>;
  /**
   * authorize + sign; the vote's timestamp is set to `timestampMs` (the driver's clock). Pass
   * the precommitted `block` with a non-nil precommit so a restart can re-propose it.
   */
  signVote(vote: UnsignedVote, signer: Signer, timestampMs: number, block?: Block): Promise<Vote>;
  signProposal(proposal: UnsignedProposal, signer: Signer): Promise<Proposal>;
  /** The last durable state as this guard knows it (null before anything was signed). */
  last(): Promise<SignedState | null>;
  /** The votes this validator signed at `height` that reached the log, oldest first. */
  votesAt(height: number): Promise<Vote[]>;
}

function sameState(a: SignedState, b: SignedState): boolean {
  const sameHash =
    a.blockHash === null || b.blockHash === null
      ? a.blockHash === b.blockHash
      : bytesEqual(a.blockHash, b.blockHash);
  return a.height === b.height && a.round === b.round && a.step === b.step && sameHash;
}

export function createSignerGuard(store: SignerStateStore): SignerGuard {
  let loaded: Promise<SignedState | null> | null = null;
  let current: SignedState | null = null;
  // A chain of requests: each starts when the previous one has settled.
  let queue: Promise<unknown> = Promise.resolve();

  function load(): Promise<SignedState | null> {
    loaded ??= store.load().then((state) => (current = state));
    return loaded;
  }

  function serialize<T>(task: () => Promise<T>): Promise<T> {
    const result = queue.then(task);
    queue = result.catch(() => undefined);
    return result;
  }

  function authorize(next: SignedState, block?: Block): Promise<void> {
    return serialize(async () => {
      await load();
      const decision = canSign(current, next);
      if (!decision.ok) throw new SignRefusedError(decision.refused);
      if (current !== null && sameState(current, next)) return;
      const locked = withLock(current, next, block);
      const votes = current?.height === next.height ? current.votes : undefined;
      const saved = votes === undefined ? locked : { ...locked, votes };
      await store.save(saved);
      // A vote logged while the save was in flight stays in the log.
      const loggedMeanwhile = current?.height === saved.height ? current.votes : undefined;
      current = loggedMeanwhile === votes ? saved : { ...saved, votes: loggedMeanwhile };
    });
  }

  /**
   * Append a signed vote to the log, best effort (store.saveVotes): neither signVote nor the
   * next authorize waits for the write, and the next authorize's durable save carries the log
   * too (it starts from `current`). If the write fails or is overtaken, the vote is only
   * missing from a future replay: the durable state already forbids a conflicting signature.
   */
  function log(vote: Vote): void {
    if (current === null || current.height !== vote.height) return;
    // A re-signed vote (rebroadcast) is already logged: the first copy replays as well.
    const logged = current.votes ?? [];
    if (logged.some((kept) => kept.round === vote.round && kept.type === vote.type)) return;
    const updated = { ...current, votes: [...logged, vote].slice(-SIGNED_VOTES_KEPT_MAX) };
    current = updated;
    const write = store.saveVotes ? store.saveVotes(updated) : store.save(updated);
    void write.catch(() => undefined);
  }

  return {
    authorize,
    async signVote(vote, signer, timestampMs, block) {
      const stamped: UnsignedVote = { ...vote, timestamp: timestampMs };
      await authorize(signedStateOfVote(stamped), block);
      const signature = await signer.sign(voteSignBytes(stamped));
      const signed = { ...stamped, signature };
      log(signed);
      return signed;
    },
    async signProposal(proposal, signer) {
      await authorize(signedStateOfProposal(proposal));
      const signature = await signer.sign(proposalSignBytes(proposal));
      return { ...proposal, signature };
    },
    last() {
      // `current`, not what load() first read: this guard's own saves came after it.
      return serialize(() => load().then(() => current));
    },
    async votesAt(height) {
      const state = await serialize(() => load().then(() => current));
      return state?.height === height ? [...(state.votes ?? [])] : [];
    },
  };
}
