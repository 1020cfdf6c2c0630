// Verifies batches of signatures for the tab's node off the main thread (verify-pool.ts), with
// the same Verifier the main thread uses (the protocol's pre-checks, then WebCrypto), so a check
// gets the same verdict wherever it runs. Posts back one byte per check: 1 valid, 0 not.
/// <reference lib="webworker" />
import { webCryptoVerifier } from '../crypto/ed25519';
import { unpackChecks } from './verify-pack';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const verifier = webCryptoVerifier();

scope.onmessage = (event: MessageEvent<{ id: number; packed: ArrayBuffer }>) => {
  const { id, packed } = event.data;
  const checks = unpackChecks(new Uint8Array(packed));
  void Promise.all(
    checks.map((check) =>
      verifier.verify(check.publicKey, check.message, check.signature).catch(() => false),
    ),
  ).then((verdicts) => {
    const bytes = Uint8Array.from(verdicts, (ok) => (ok ? 1 : 0));
    scope.postMessage({ id, verdicts: bytes }, [bytes.buffer]);
  });
};
