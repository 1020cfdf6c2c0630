// Every limit of the protocol in one place. A node rejects anything beyond these with a typed
// error; changing one is a protocol change (all nodes of a ledger must agree on them).

export const PROTOCOL_VERSION = 1;

/**
 * Evidence of an equivocation at height h may be included in blocks h .. h + this - 1, as long
 * as the validator set has not changed since h (the state keeps only the current signing sets).
 */
export const EVIDENCE_AGE_MAX_HEIGHTS = 100;
/** Encoded size of one transaction, signature included. */
export const TX_BYTES_MAX = 4 * 1024;
/** Encoded size of a whole block (header, txs, last commit, evidence). */
export const BLOCK_BYTES_MAX = 512 * 1024;
export const BLOCK_TXS_MAX = 1_000;
export const BLOCK_EVIDENCE_MAX = 16;
/** UTF-8 bytes of a record key (the sender's namespace prefix not counted). */
export const RECORD_KEY_BYTES_MAX = 128;
export const RECORD_VALUE_BYTES_MAX = 2 * 1024;
/**
 * Accounts one block may create (transfers to new addresses) and records one block may create
 * (puts of new keys); a tx beyond either fails with `block-limit` (it uses its nonce). With
 * only accounts and validators able to write, these bound how fast members can grow the state.
 */
export const NEW_ACCOUNTS_PER_BLOCK_MAX = 64;
export const NEW_RECORDS_PER_BLOCK_MAX = 256;
export const VALIDATORS_MAX = 128;
/** Sum of all voting power; keeps 3 * power exact in IEEE doubles (< 2^53). */
export const TOTAL_POWER_MAX = 2 ** 50;
/** Open validator-set proposals at once; more are rejected with too-many-proposals. */
export const GOVERNANCE_PROPOSALS_MAX = 64;
/** A governance proposal not approved within this many blocks is dropped. */
export const GOVERNANCE_PROPOSAL_TTL_BLOCKS = 10_000;
export const LEDGER_NAME_BYTES_MAX = 64;
export const GENESIS_BALANCES_MAX = 1_000;
/** Any single encoded message accepted from the network (largest is a proposal with its block). */
export const MESSAGE_BYTES_MAX = BLOCK_BYTES_MAX + 64 * 1024;
/** Largest safe amount / balance. */
export const AMOUNT_MAX = Number.MAX_SAFE_INTEGER;
