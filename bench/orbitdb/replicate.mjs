// OrbitDB side of `npm run bench` row 6: a writer puts RECORDS records into an OrbitDB keyvalue
// database, then RUNS times a fresh peer (new libp2p identity, new empty LevelDB directories)
// dials the writer over loopback TCP, opens the database by address and replicates every record.
// Prints one JSON line on stdout: { ok, records, writeMs, runs: [{ replicateMs, records }] }.
// Usage: node replicate.mjs <records> <runs> [budgetMs] (stops starting runs past the budget).
//
// Run from bench/replication.ts as `node bench/orbitdb/replicate.mjs <records> <runs>`, so that
// every import resolves from bench/orbitdb/node_modules (OrbitDB stays out of the app's
// dependencies). What it took (see /work/shared/FACTS.md): @orbitdb/core 3.0.2 on Node 20 with a
// Promise.withResolvers polyfill, Helia built from @helia/utils with bitswap as the only block
// broker (helia's createHelia imports @libp2p/webrtc and friends), installed --ignore-scripts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Node 20 lacks Promise.withResolvers; libp2p and Helia call it.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const { createLibp2p } = await import('libp2p');
const { tcp } = await import('@libp2p/tcp');
const { noise } = await import('@chainsafe/libp2p-noise');
const { yamux } = await import('@chainsafe/libp2p-yamux');
const { identify } = await import('@libp2p/identify');
const { gossipsub } = await import('@chainsafe/libp2p-gossipsub');
const { Helia } = await import('@helia/utils');
const { bitswap } = await import('@helia/block-brokers');
const { LevelBlockstore } = await import('blockstore-level');
const { LevelDatastore } = await import('datastore-level');
const { createOrbitDB } = await import('@orbitdb/core');

const RECORDS = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 1);
/** Do not start another fresh peer if it would likely end after this much wall time. */
const BUDGET_MS = Number(process.argv[4] ?? Number.POSITIVE_INFINITY);
/** Same payload size as the ledger side's put records (bench/replication-ledger.ts). */
const VALUE_BYTES = 100;
const REPLICATE_TIMEOUT_MS = 300_000;
const RECOUNT_MS = 5_000;

/** One OrbitDB peer with its own libp2p node, Helia (LevelDB blocks) and OrbitDB directory. */
async function startPeer(name) {
  const dir = mkdtempSync(join(tmpdir(), `bench-orbitdb-${name}-`));
  const libp2p = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: {
      identify: identify(),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false }),
    },
  });
  const blockstore = new LevelBlockstore(join(dir, 'blocks'));
  const datastore = new LevelDatastore(join(dir, 'data'));
  await blockstore.open();
  await datastore.open();
  const ipfs = new Helia({ libp2p, blockstore, datastore, blockBrokers: [bitswap()] });
  await ipfs.start();
  const orbitdb = await createOrbitDB({ ipfs, id: name, directory: join(dir, 'orbitdb') });
  return {
    libp2p,
    orbitdb,
    async stop() {
      await orbitdb.stop();
      await ipfs.stop();
      await blockstore.close();
      await datastore.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function value(i) {
  const bytes = new Uint8Array(VALUE_BYTES);
  for (let j = 0; j < VALUE_BYTES; j++) bytes[j] = (i * 31 + j) & 0xff;
  return Buffer.from(bytes).toString('base64');
}

async function countRecords(db) {
  let count = 0;
  for await (const _ of db.iterator()) count++;
  return count;
}

const scriptStartMs = performance.now();
const result = { ok: false, records: RECORDS, writeMs: 0, runs: [] };
const writer = await startPeer('writer');
try {
  const db = await writer.orbitdb.open('bench-records', { type: 'keyvalue' });
  const writeStartMs = performance.now();
  for (let i = 0; i < RECORDS; i++) await db.put(`record-${i}`, value(i));
  result.writeMs = performance.now() - writeStartMs;

  for (let run = 0; run < RUNS; run++) {
    const startMs = performance.now();
    const lastMs = result.runs.at(-1)?.replicateMs ?? 0;
    if (run > 0 && startMs - scriptStartMs + lastMs > BUDGET_MS) {
      result.budgetStopped = true;
      break;
    }
    const reader = await startPeer(`reader-${run}`);
    try {
      await reader.libp2p.dial(writer.libp2p.getMultiaddrs()[0]);
      const replica = await reader.orbitdb.open(db.address);
      // Sync joins the writer's head and emits 'update' once the log holds everything it
      // references; count then (and every RECOUNT_MS in case an update was missed).
      let updates = 0;
      let wake = () => {};
      replica.events.on('update', () => {
        updates++;
        wake();
      });
      let count = await countRecords(replica);
      const deadline = Date.now() + REPLICATE_TIMEOUT_MS;
      while (count < RECORDS) {
        if (Date.now() > deadline) throw new Error(`replicated ${count} of ${RECORDS} records`);
        const seen = updates;
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, RECOUNT_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
          if (updates !== seen) wake();
        });
        count = await countRecords(replica);
      }
      result.runs.push({ replicateMs: performance.now() - startMs, records: count });
      await replica.close();
    } finally {
      await reader.stop();
    }
  }
  result.ok = true;
} catch (error) {
  result.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
} finally {
  await writer.stop();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
