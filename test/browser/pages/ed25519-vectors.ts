// Runs the shared Ed25519 vectors through Chromium's WebCrypto (BoringSSL): the protocol's
// verifier (pre-checks + WebCrypto) and, for the record, raw WebCrypto without pre-checks.
import { webCryptoVerifier } from '$lib/crypto/ed25519';
import { ED25519_VECTORS, hexBytes } from '../../support/ed25519-vectors';

export interface VectorVerdict {
  name: string;
  verdict: boolean;
  raw: boolean;
}

declare global {
  interface Window {
    runEd25519Vectors: () => Promise<VectorVerdict[]>;
  }
}

async function raw(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('raw', pk.slice(), 'Ed25519', false, ['verify']);
    return await crypto.subtle.verify('Ed25519', key, sig.slice(), msg.slice());
  } catch {
    return false;
  }
}

window.runEd25519Vectors = async () => {
  const verifier = webCryptoVerifier();
  const out: VectorVerdict[] = [];
  for (const v of ED25519_VECTORS) {
    const pk = hexBytes(v.publicKey);
    const msg = hexBytes(v.message);
    const sig = hexBytes(v.signature);
    out.push({
      name: v.name,
      verdict: await verifier.verify(pk, msg, sig),
      raw: await raw(pk, msg, sig),
    });
  }
  return out;
};
