// Builds the Commit a 'decide' effect carries: one CommitSig slot per validator, in the set's
// order, from the precommits of the deciding round. A precommit for another block cannot be
// shown as 'commit' (its signature covers a different hash) nor as 'nil', so it becomes
// 'absent', as CometBFT does.

import { bytesEqual } from '../core/bytes';
import type { Address, Commit, CommitSig, Hash, ValidatorSet, Vote } from '../core/types';

export function buildCommit(
  validators: ValidatorSet,
  height: number,
  round: number,
  blockHash: Hash,
  precommits: ReadonlyMap<Address, Vote>,
): Commit {
  const signatures: CommitSig[] = validators.validators.map((validator) => {
    const vote = precommits.get(validator.address);
    if (vote === undefined) return { kind: 'absent' };
    if (vote.blockHash === null) {
      return { kind: 'nil', timestamp: vote.timestamp, signature: vote.signature };
    }
    if (bytesEqual(vote.blockHash, blockHash)) {
      return { kind: 'commit', timestamp: vote.timestamp, signature: vote.signature };
    }
    return { kind: 'absent' };
  });
  return { height, round, blockHash, signatures };
}
