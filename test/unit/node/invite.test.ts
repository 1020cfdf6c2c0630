import { describe, expect, test } from 'vitest';
import { chainIdOf } from '../../../src/lib/core/hash';
import {
  genesisOfInvite,
  InviteError,
  inviteLink,
  makeInvite,
  parseInvite,
  toBase64Url,
} from '../../../src/lib/node/invite';
import { encodeValue } from '../../../src/lib/core/encoding';
import { makeGenesis, newKeys } from '../../support/fixtures';

describe('invite links', () => {
  test('a link round-trips to the same ledger, genesis and relays', async () => {
    const genesis = makeGenesis(await newKeys(1), { name: 'family' });
    const relays = ['/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWExample'];
    const link = inviteLink('http://127.0.0.1:8080/', makeInvite(genesis, relays));
    expect(link.startsWith('http://127.0.0.1:8080/join#')).toBe(true);
    const parsed = parseInvite(link);
    expect(parsed).toMatchObject({ chainId: chainIdOf(genesis), name: 'family', relays });
    expect(chainIdOf(genesisOfInvite(parsed))).toBe(chainIdOf(genesis));
    expect(parseInvite(link.split('#')[1] as string).chainId).toBe(parsed.chainId);
  });

  test.each([
    ['empty', ''],
    ['not base64url', 'http://x/join#***'],
    ['garbage bytes', `#${toBase64Url(new Uint8Array([0xff, 0x00, 0x13]))}`],
    ['wrong version', `#${toBase64Url(encodeValue([2, new Uint8Array(3), []]))}`],
    ['bad genesis', `#${toBase64Url(encodeValue([1, new Uint8Array(3), []]))}`],
    ['bad relays', `#${toBase64Url(encodeValue([1, new Uint8Array(3), [1]]))}`],
  ])('a damaged link (%s) is an InviteError', (_name, link) => {
    expect(() => parseInvite(link)).toThrow(InviteError);
  });
});
