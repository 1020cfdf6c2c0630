// The platform's limits, measured in the page (real Chromium) for `npm run bench` row 1:
// WebCrypto Ed25519 sign/verify, SHA-256 (@noble/hashes and WebCrypto), raw IndexedDB puts and
// WebRTC data channel messages between two RTCPeerConnections on loopback. Each call is one
// run; bench/limits.ts calls them repeatedly and takes medians.
import { sha256 } from '@noble/hashes/sha2.js';

/** One run's count of operations and how long they took. */
export interface Timed {
  count: number;
  ms: number;
  bytes?: number;
}

declare global {
  interface Window {
    limits: {
      ed25519(count: number, messageBytes: number): Promise<{ sign: Timed; verify: Timed }>;
      sha256(bytes: number): Promise<{ noble: Timed; webCrypto: Timed }>;
      indexedDb(puts: number, valueBytes: number): Promise<{ batched: Timed; commits: Timed }>;
      webRtc(messages: number, messageBytes: number): Promise<Timed>;
    };
  }
}

/** WebRTC: stop sending while this much is queued, resume below the low-water mark. */
const RTC_BUFFER_HIGH_BYTES = 1024 * 1024;
const RTC_BUFFER_LOW_BYTES = 256 * 1024;
const RTC_TIMEOUT_MS = 60_000;
/** Strict-durability transactions timed for the commits/s figure. */
const IDB_COMMITS = 50;

function filled(bytes: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (seed * 131 + i * 7) & 0xff;
  return out;
}

async function ed25519(count: number, messageBytes: number) {
  const keys = (await crypto.subtle.generateKey('Ed25519', false, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const messages = Array.from({ length: count }, (_, i) => filled(messageBytes, i));
  // All in flight at once, as the node's verifier batches a block's checks.
  let start = performance.now();
  const signatures = await Promise.all(
    messages.map((m) => crypto.subtle.sign('Ed25519', keys.privateKey, m)),
  );
  const sign = { count, ms: performance.now() - start };
  start = performance.now();
  const verdicts = await Promise.all(
    messages.map((m, i) => crypto.subtle.verify('Ed25519', keys.publicKey, signatures[i]!, m)),
  );
  const verify = { count, ms: performance.now() - start };
  if (!verdicts.every(Boolean)) throw new Error('a signature did not verify');
  return { sign, verify };
}

async function sha(bytes: number) {
  const data = filled(bytes, 1);
  let start = performance.now();
  sha256(data);
  const noble = { count: 1, ms: performance.now() - start, bytes };
  start = performance.now();
  await crypto.subtle.digest('SHA-256', data);
  const webCrypto = { count: 1, ms: performance.now() - start, bytes };
  return { noble, webCrypto };
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

let idbRun = 0;

async function indexedDb(puts: number, valueBytes: number) {
  const name = `bench-limits-${idbRun++}`;
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => open.result.createObjectStore('records');
  const db = await request(open);
  try {
    const values = Array.from({ length: puts }, (_, i) => filled(valueBytes, i));
    // Batched: every put in one strict transaction (how a block's state changes are written).
    let start = performance.now();
    const tx = db.transaction('records', 'readwrite', { durability: 'strict' });
    const store = tx.objectStore('records');
    for (let i = 0; i < puts; i++) store.put(values[i], `k${i}`);
    await done(tx);
    const batched = { count: puts, ms: performance.now() - start };
    // Commits: one put per strict transaction, one after the other (a block per commit).
    start = performance.now();
    for (let i = 0; i < IDB_COMMITS; i++) {
      const one = db.transaction('records', 'readwrite', { durability: 'strict' });
      one.objectStore('records').put(values[i % puts], `c${i}`);
      await done(one);
    }
    const commits = { count: IDB_COMMITS, ms: performance.now() - start };
    return { batched, commits };
  } finally {
    db.close();
    await request(indexedDB.deleteDatabase(name)).catch(() => undefined);
  }
}

/** Two RTCPeerConnections in this page, signalled by hand, no ICE servers (loopback only). */
async function webRtc(messages: number, messageBytes: number): Promise<Timed> {
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  try {
    a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate));
    b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate));
    const send = a.createDataChannel('bench', { negotiated: true, id: 0, ordered: true });
    const receive = b.createDataChannel('bench', { negotiated: true, id: 0, ordered: true });
    send.binaryType = receive.binaryType = 'arraybuffer';
    const opened = Promise.all(
      [send, receive].map(
        (ch) => new Promise<void>((resolve) => ch.addEventListener('open', () => resolve())),
      ),
    );
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription!);
    await withTimeout(opened, 'data channel open');

    let received = 0;
    const all = new Promise<void>((resolve) => {
      receive.onmessage = () => {
        received++;
        if (received === messages) resolve();
      };
    });
    const payload = filled(messageBytes, 7);
    send.bufferedAmountLowThreshold = RTC_BUFFER_LOW_BYTES;
    const start = performance.now();
    for (let i = 0; i < messages; i++) {
      if (send.bufferedAmount > RTC_BUFFER_HIGH_BYTES) {
        await new Promise<void>((resolve) =>
          send.addEventListener('bufferedamountlow', () => resolve(), { once: true }),
        );
      }
      send.send(payload);
    }
    await withTimeout(all, `${messages} messages received`);
    return { count: messages, ms: performance.now() - start, bytes: messages * messageBytes };
  } finally {
    a.close();
    b.close();
  }
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), RTC_TIMEOUT_MS);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

window.limits = { ed25519, sha256: sha, indexedDb, webRtc };
