// The consensus engine's public surface.
export * from './types';
export * from './params';
export { createEngine, step, engineStatus, EngineAssertionError } from './engine';
export type { EngineParams, EngineState, EngineStatus, StepResult, StoredProposal } from './engine';
export {
  proposerFor,
  selectProposer,
  joinPriority,
  prioritiesAt,
  validatorSetKey,
} from './proposer';
export type { Priorities, ProposerCache } from './proposer';
export { buildCommit } from './commit';
export {
  canSign,
  restartPoint,
  signedStateOfProposal,
  signedStateOfVote,
  withLock,
} from './signer-guard';
export type { SignDecision } from './signer-guard';
export * as voteKeeper from './vote-keeper';
