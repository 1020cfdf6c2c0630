// The verify ceiling row 4 compares fresh-tab sync with: WebCrypto Ed25519 verifies per second
// on one thread (the page's, all in flight at once as the node's verifier issues a block's
// checks), and the same on every hardware thread at once (one Worker each).
export interface Timed {
  count: number;
  ms: number;
}

function filled(bytes: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (seed * 131 + i * 7) & 0xff;
  return out;
}

/** Signs `count` messages now; the returned function verifies them all in flight at once. */
export async function prepareVerifies(
  count: number,
  messageBytes: number,
): Promise<() => Promise<void>> {
  const keys = (await crypto.subtle.generateKey('Ed25519', false, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const messages = Array.from({ length: count }, (_, i) => filled(messageBytes, i));
  const signatures = await Promise.all(
    messages.map((m) => crypto.subtle.sign('Ed25519', keys.privateKey, m)),
  );
  return async () => {
    const verdicts = await Promise.all(
      messages.map((m, i) => crypto.subtle.verify('Ed25519', keys.publicKey, signatures[i]!, m)),
    );
    if (!verdicts.every(Boolean)) throw new Error('a signature did not verify');
  };
}

export async function verifyOnPage(count: number, messageBytes: number): Promise<Timed> {
  const verify = await prepareVerifies(count, messageBytes);
  const startMs = performance.now();
  await verify();
  return { count, ms: performance.now() - startMs };
}

/** `workers` Workers verifying `count` each at the same time. */
export async function verifyOnWorkers(
  workers: number,
  count: number,
  messageBytes: number,
): Promise<Timed> {
  const pool = Array.from(
    { length: workers },
    () => new Worker(new URL('./ceiling-worker.ts', import.meta.url), { type: 'module' }),
  );
  const reply = (worker: Worker, message: unknown) =>
    new Promise<void>((resolve, reject) => {
      worker.onmessage = () => resolve();
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage(message);
    });
  try {
    await Promise.all(pool.map((worker) => reply(worker, { t: 'prepare', count, messageBytes })));
    const startMs = performance.now();
    await Promise.all(pool.map((worker) => reply(worker, { t: 'go' })));
    return { count: workers * count, ms: performance.now() - startMs };
  } finally {
    for (const worker of pool) worker.terminate();
  }
}
