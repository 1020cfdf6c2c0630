// Signature verification on a small pool of dedicated Workers (verify-worker.ts). Chromium runs
// WebCrypto's Ed25519 verify on the calling thread, so a syncing tab that verifies on its main
// thread spends a third of its time there (bench row 4); the pool moves that work to other
// cores and leaves the main thread to decode, validate and apply. Batches only: a lone check
// costs more in messaging than it saves, so single checks stay with the main-thread Verifier.
import type { SignatureCheck } from '../core/signing';
import type { SignatureBatchVerifier } from './verify';
import { packChecks } from './verify-pack';

/** Workers at most, whatever the core count: verification is a share of sync, not all of it. */
export const VERIFY_WORKERS_MAX = 4;
/** Checks per message to one worker; a batch splits into chunks spread over the workers. */
export const VERIFY_CHUNK_CHECKS = 256;
/** Chunks in flight across the pool; more wait for one to come back (backpressure). */
export const VERIFY_CHUNKS_IN_FLIGHT_MAX = 64;

export class VerifyPoolClosedError extends Error {
  override readonly name = 'VerifyPoolClosedError';
}

interface Waiting {
  resolve(verdicts: Uint8Array): void;
  reject(error: Error): void;
}

export interface VerifyPool extends SignatureBatchVerifier {
  close(): void;
}

/** A pool of `workers` verify Workers; null where Workers are unavailable (Node, tests). */
export function createVerifyPool(workers: number): VerifyPool | null {
  if (typeof Worker === 'undefined') return null;
  const count = Math.max(1, Math.min(VERIFY_WORKERS_MAX, Math.floor(workers)));
  const pending = new Map<number, Waiting>();
  const queued: (() => void)[] = [];
  let inFlight = 0;
  let nextId = 0;
  let turn = 0;
  let closed = false;
  const pool = Array.from({ length: count }, () => {
    const worker = new Worker(new URL('./verify-worker.ts', import.meta.url), {
      type: 'module',
    });
    worker.onmessage = (event: MessageEvent<{ id: number; verdicts: Uint8Array }>) => {
      const waiting = pending.get(event.data.id);
      pending.delete(event.data.id);
      waiting?.resolve(event.data.verdicts);
    };
    worker.onerror = (event) => {
      // A broken worker fails what it holds; callers treat that like a failed verification.
      for (const waiting of pending.values()) waiting.reject(new Error(event.message));
      pending.clear();
    };
    return worker;
  });

  const release = () => {
    inFlight -= 1;
    queued.shift()?.();
  };

  async function verifyChunk(checks: readonly SignatureCheck[]): Promise<Uint8Array> {
    if (inFlight >= VERIFY_CHUNKS_IN_FLIGHT_MAX) {
      await new Promise<void>((resolve) => queued.push(resolve));
    }
    if (closed) throw new VerifyPoolClosedError('the verify pool is closed');
    inFlight += 1;
    try {
      const id = nextId++;
      const packed = packChecks(checks);
      const worker = pool[turn++ % pool.length] as Worker;
      return await new Promise<Uint8Array>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, packed: packed.buffer }, [packed.buffer]);
      });
    } finally {
      release();
    }
  }

  return {
    async verifyBatch(checks) {
      const chunks: Promise<Uint8Array>[] = [];
      for (let start = 0; start < checks.length; start += VERIFY_CHUNK_CHECKS) {
        chunks.push(verifyChunk(checks.slice(start, start + VERIFY_CHUNK_CHECKS)));
      }
      const verdicts: boolean[] = [];
      for (const chunk of await Promise.all(chunks)) {
        for (const byte of chunk) verdicts.push(byte === 1);
      }
      return verdicts;
    },
    close() {
      closed = true;
      for (const worker of pool) worker.terminate();
      for (const waiting of pending.values()) {
        waiting.reject(new VerifyPoolClosedError('the verify pool is closed'));
      }
      pending.clear();
      for (const wake of queued.splice(0)) wake();
    },
  };
}
