// One flat buffer for a batch of signature checks, so a batch crosses to a verify Worker as a
// single transferable instead of thousands of cloned objects. Layout per check: u32 lengths of
// public key, signature and message, then the three byte strings.
import type { SignatureCheck } from '../core/signing';

const HEADER_BYTES = 12;

export function packChecks(checks: readonly SignatureCheck[]): Uint8Array {
  let size = 4;
  for (const c of checks) {
    size += HEADER_BYTES + c.publicKey.length + c.signature.length + c.message.length;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, checks.length);
  let at = 4;
  for (const c of checks) {
    view.setUint32(at, c.publicKey.length);
    view.setUint32(at + 4, c.signature.length);
    view.setUint32(at + 8, c.message.length);
    at += HEADER_BYTES;
    for (const part of [c.publicKey, c.signature, c.message]) {
      out.set(part, at);
      at += part.length;
    }
  }
  return out;
}

export function unpackChecks(bytes: Uint8Array): SignatureCheck[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0);
  const checks: SignatureCheck[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    const keyBytes = view.getUint32(at);
    const signatureBytes = view.getUint32(at + 4);
    const messageBytes = view.getUint32(at + 8);
    at += HEADER_BYTES;
    const publicKey = bytes.subarray(at, at + keyBytes);
    at += keyBytes;
    const signature = bytes.subarray(at, at + signatureBytes);
    at += signatureBytes;
    const message = bytes.subarray(at, at + messageBytes);
    at += messageBytes;
    checks.push({ publicKey, signature, message });
  }
  return checks;
}
