// The node's edge checks of a decided block (`commit` topic): a copy of a block this node has
// committed is ignored before its txs are decoded; the next block needs a valid commit; a block
// further ahead starts a catch-up instead.
import { describe, expect, test } from 'vitest';
import { encodeBlock, encodeCommit } from '../../../src/lib/core/encoding';
import type { LedgerState } from '../../../src/lib/core/state';
import { webCryptoVerifier } from '../../../src/lib/crypto/index';
import { createGossipValidator } from '../../../src/lib/node/gossip-validator';
import { encodeDecided } from '../../../src/lib/node/wire';
import { TestChain } from '../../support/fixtures';

async function chainOf(blocks: number) {
  const chain = await TestChain.create({ validators: 4, accounts: 1 });
  const sender = chain.accounts[0]!;
  const added = await chain.addBlocks(blocks, async () => [
    await chain.transfer(sender, chain.validatorKeys[0]!, 1),
  ]);
  const decided = added.map(({ block, commit }) =>
    encodeDecided(encodeBlock(block), encodeCommit(commit)),
  );
  return { chain, decided };
}

/** A validator for a node whose committed state is `state`; it records catch-up requests. */
function validatorOn(state: LedgerState) {
  const ahead: number[] = [];
  const validate = createGossipValidator({
    state: () => state,
    verifier: webCryptoVerifier(),
    onAhead: (height) => ahead.push(height),
  });
  return { validate, ahead };
}

describe('gossip validator: decided blocks', () => {
  test('the next block with its commit is accepted; a committed one is ignored', async () => {
    const { chain, decided } = await chainOf(3);
    const atGenesis = validatorOn(chain.freshState());
    expect(await atGenesis.validate('commit', decided[0]!, 'peer')).toMatchObject({
      result: 'accept',
    });
    // The chain's own state is at height 3: every block is committed there.
    const atHead = validatorOn(chain.state);
    for (const payload of decided) {
      expect(await atHead.validate('commit', payload, 'peer')).toEqual({
        result: 'ignore',
        reason: 'already-committed',
      });
    }
  });

  test('a committed height is ignored without decoding the block (its bytes are not read)', async () => {
    const { chain } = await chainOf(2);
    const garbageBlock = new Uint8Array([0xff, 0x00, 0x13]);
    const payload = encodeDecided(garbageBlock, encodeCommit(chain.commits[0]!));
    const { validate } = validatorOn(chain.state);
    expect(await validate('commit', payload, 'peer')).toEqual({
      result: 'ignore',
      reason: 'already-committed',
    });
    // At the height where the block matters, the same garbage is rejected for what it is.
    const atGenesis = validatorOn(chain.freshState());
    const verdict = await atGenesis.validate('commit', payload, 'peer');
    expect(verdict.result).toBe('reject');
  });

  test('a block beyond the next height asks for a catch-up; a forged commit is rejected', async () => {
    const { chain, decided } = await chainOf(3);
    const { validate, ahead } = validatorOn(chain.freshState());
    expect(await validate('commit', decided[2]!, 'peer')).toEqual({
      result: 'ignore',
      reason: 'ahead-of-us',
    });
    expect(ahead).toEqual([3]);
    // Block 1 with block 2's commit: signatures for another block.
    const forged = encodeDecided(encodeBlock(chain.blocks[0]!), encodeCommit(chain.commits[1]!));
    const verdict = await validate('commit', forged, 'peer');
    expect(verdict.result).toBe('reject');
  });
});
