// The writer process of the SQLite fault test (test/unit/store/sqlite-faults.test.ts): it
// writes blocks and signer states to the on-disk store as fast as it can and prints one line
// after each write RESOLVES, until the chain ends or the test kills it (SIGKILL). Whatever it
// printed must survive the kill. Arguments: <fixture file (node:v8)> <data directory>.
//
//   ready <head>                  opened, continuing from head
//   block <height>                applyBlocks resolved up to height (strict, or a relaxed batch)
//   signer <height> <round> <step> signerState.save resolved

import { readFileSync } from 'node:fs';
import { deserialize } from 'node:v8';
import type { SignedState } from '../../src/lib/consensus/types';
import { blockHash } from '../../src/lib/core/hash';
import type { LedgerState } from '../../src/lib/core/state';
import type { Genesis } from '../../src/lib/core/types';
import { openSqliteLedgerStore } from '../../src/lib/store/sqlite/index';
import type { BlockToApply } from '../../src/lib/store/types';

export interface WriterFixture {
  chainId: string;
  genesis: Genesis;
  genesisState: LedgerState;
  entries: BlockToApply[];
}

/** Every BATCH_EVERY-th write is a relaxed batch of BATCH_BLOCKS (as range sync writes). */
const BATCH_EVERY = 5;
const BATCH_BLOCKS = 4;

const [fixturePath, directory] = process.argv.slice(2) as [string, string];
const fx = deserialize(readFileSync(fixturePath)) as WriterFixture;
const store = await openSqliteLedgerStore({ directory, chainId: fx.chainId });
await store.initialize(fx.genesis, fx.genesisState);
let height = (await store.meta())!.headHeight;
// The signer's heights run on from what is stored, one per write.
let signerHeight = ((await store.signerState.load())?.height ?? 0) + 1;
const say = (line: string) => process.stdout.write(`${line}\n`);
say(`ready ${height}`);

for (let write = 0; height < fx.entries.length; write++) {
  const relaxed = write % BATCH_EVERY === BATCH_EVERY - 1;
  const entries = fx.entries.slice(height, height + (relaxed ? BATCH_BLOCKS : 1));
  await store.applyBlocks(entries, { durability: relaxed ? 'relaxed' : 'strict' });
  height += entries.length;
  say(`block ${height}`);
  const entry = entries[0]!;
  const hash = blockHash(entry.block);
  const prevote: SignedState = { height: signerHeight, round: 0, step: 1, blockHash: hash };
  await store.signerState.save(prevote);
  say(`signer ${signerHeight} 0 1`);
  // The vote log rides on the same row, best effort (not reported: it need not be durable).
  await store.signerState.saveVotes!({ ...prevote, votes: [] });
  const lock = { round: 0, blockHash: hash, block: entry.block };
  await store.signerState.save({ ...prevote, step: 2, lock });
  say(`signer ${signerHeight} 0 2`);
  signerHeight++;
}
await store.close();
say('done');
