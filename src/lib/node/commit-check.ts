// Checks that a commit finalises a block: the precommits of more than 2/3 of the signing set's
// power for that block hash, each signature valid. Used where a block arrives with its own
// commit (catch-up from gossip and range sync) rather than inside the next block.
import { commitSlotVote } from '../core/block';
import { bytesEqual } from '../core/hash';
import { voteSignBytes, type SignatureCheck } from '../core/signing';
import type { Commit, Hash, ValidatorSet } from '../core/types';
import { exceedsTwoThirds } from '../core/validators';

export interface CommitChecks {
  checks: SignatureCheck[];
  /** Validator index of each check, in order. */
  indexes: number[];
}

export function commitSignatureChecks(
  chainId: string,
  set: ValidatorSet,
  commit: Commit,
): CommitChecks {
  const checks: SignatureCheck[] = [];
  const indexes: number[] = [];
  const slots = Math.min(commit.signatures.length, set.validators.length);
  for (let index = 0; index < slots; index++) {
    const vote = commitSlotVote(chainId, commit, index, set);
    const slot = commit.signatures[index];
    const validator = set.validators[index];
    if (!vote || !slot || slot.kind === 'absent' || !validator) continue;
    checks.push({
      publicKey: validator.publicKey,
      message: voteSignBytes(vote),
      signature: slot.signature,
    });
    indexes.push(index);
  }
  return { checks, indexes };
}

export type CommitVerdict = { ok: true } | { ok: false; reason: string };

/** Pure: given the verdicts for `commitSignatureChecks`, does the commit finalise `hash`? */
export function judgeCommit(
  set: ValidatorSet,
  commit: Commit,
  height: number,
  hash: Hash,
  checks: CommitChecks,
  verdicts: readonly boolean[],
): CommitVerdict {
  if (commit.height !== height) return { ok: false, reason: 'commit-height' };
  if (!bytesEqual(commit.blockHash, hash)) return { ok: false, reason: 'commit-block-hash' };
  if (commit.signatures.length !== set.validators.length) {
    return { ok: false, reason: 'commit-size' };
  }
  let power = 0;
  for (let i = 0; i < checks.indexes.length; i++) {
    const index = checks.indexes[i] as number;
    if (verdicts[i] !== true) return { ok: false, reason: 'commit-bad-signature' };
    if (commit.signatures[index]?.kind === 'commit') power += set.validators[index]?.power ?? 0;
  }
  return exceedsTwoThirds(power, set) ? { ok: true } : { ok: false, reason: 'commit-power' };
}
