// Runs the signature checks the pure core lists, through whatever Verifier the node has
// (WebCrypto on the main thread, or a pool of Workers), and returns verdicts in order.
import type { SignatureCheck, Verifier } from '../core/signing';

export async function verifyAll(
  verifier: Verifier,
  checks: readonly SignatureCheck[],
): Promise<boolean[]> {
  return Promise.all(
    checks.map((check) => verifier.verify(check.publicKey, check.message, check.signature)),
  );
}

/** Verifies many checks in one call, possibly off the main thread (verify-pool.ts). */
export interface SignatureBatchVerifier {
  /** One verdict per check, in order; rejects only if the verifier itself broke. */
  verifyBatch(checks: readonly SignatureCheck[]): Promise<boolean[]>;
}
