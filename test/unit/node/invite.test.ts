// Invite links: the short link (chain id, name, relays) is what devices show; the long link
// (the whole genesis) is still read. A private ledger's links (3 short, 4 long) add its access
// (network secret, epoch, key) to the fragment. A short link may name the device that made it
// (5 public, 6 private). A damaged link always says so in a sentence.
import { describe, expect, test } from 'vitest';
import { chainIdOf } from '../../../src/lib/core/hash';
import {
  boundedInviterName,
  fromBase64Url,
  genesisOfInvite,
  INVITE_BYTES_MAX,
  INVITE_EPOCH_MAX,
  INVITER_NAME_BYTES_MAX,
  InviteError,
  inviteLink,
  makeInvite,
  parseInvite,
  toBase64Url,
} from '../../../src/lib/node/invite';
import { decodeValue, encodeGenesis, encodeValue } from '../../../src/lib/core/encoding';
import { epochKeyHash } from '../../../src/lib/core/membership';
import { fromHex } from '../../../src/lib/core/bytes';
import { makeGenesis, newKeys } from '../../support/fixtures';

const RELAY = '/ip4/127.0.0.1/tcp/8081/ws/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo';

describe('invite links', () => {
  test('the short link names the ledger and its relays, not its genesis', async () => {
    const genesis = makeGenesis(await newKeys(1), { name: 'family' });
    const link = inviteLink('http://127.0.0.1:8080/', makeInvite(genesis, [RELAY]));
    expect(link.startsWith('http://127.0.0.1:8080/join#')).toBe(true);
    const parsed = parseInvite(link);
    expect(parsed).toEqual({
      chainId: chainIdOf(genesis),
      name: 'family',
      genesis: null,
      relays: [RELAY],
      unusableRelays: 0,
      access: null,
    });
    expect(genesisOfInvite(parsed)).toBeNull();
    expect(parseInvite(link.split('#')[1] as string).chainId).toBe(parsed.chainId);
  });

  test('the short link is short: under half the long one, under 100 characters', async () => {
    const genesis = makeGenesis(await newKeys(1), { name: 'Household' });
    const short = inviteLink('http://127.0.0.1:8080', makeInvite(genesis, []));
    const long = inviteLink('http://127.0.0.1:8080', makeInvite(genesis, [RELAY]), {
      withGenesis: true,
    });
    console.log(`invite link: ${short.length} characters (long form with a relay: ${long.length})`);
    expect(short.length).toBeLessThan(100);
    expect(short.length * 2).toBeLessThan(long.length);
  });

  test('a long link carries the genesis, checked against its chain id', async () => {
    const genesis = makeGenesis(await newKeys(1), { name: 'family' });
    const link = inviteLink('http://x', makeInvite(genesis, [RELAY]), { withGenesis: true });
    const parsed = parseInvite(link);
    expect(parsed).toMatchObject({ chainId: chainIdOf(genesis), name: 'family', relays: [RELAY] });
    expect(chainIdOf(genesisOfInvite(parsed)!)).toBe(chainIdOf(genesis));
  });

  test.each([
    ['empty', '', 'This invite link is empty.'],
    ['not base64url', 'http://x/join#***', 'damaged or incomplete'],
    // The browser's own atob error ("Failed to execute 'atob'...") never reaches a person.
    ['cut to a length no bytes make', 'http://x/join#abcde', 'damaged or incomplete'],
    ['garbage bytes', `#${toBase64Url(new Uint8Array([0xff, 0x00, 0x13]))}`, 'damaged'],
    ['newer version', `#${toBase64Url(encodeValue([9, new Uint8Array(3), []]))}`, 'newer version'],
    ['short chain id', `#${toBase64Url(encodeValue([2, new Uint8Array(3), 'x', []]))}`, 'damaged'],
    ['bad genesis', `#${toBase64Url(encodeValue([1, new Uint8Array(3), []]))}`, 'invalid'],
    ['bad relays', `#${toBase64Url(encodeValue([1, new Uint8Array(3), [1]]))}`, 'damaged'],
  ])('a damaged link (%s) is an InviteError with a sentence', (_name, link, words) => {
    let error: unknown;
    try {
      parseInvite(link);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InviteError);
    const message = (error as Error).message;
    expect(message).toContain(words);
    expect(message).toMatch(/^[A-Z].*\.$/);
  });

  test('relay addresses a browser cannot use are dropped and counted, never kept', async () => {
    const genesis = makeGenesis(await newKeys(1), { name: 'family' });
    const bad = [
      'garbage',
      '/ip4/127.0.0.1/tcp/8081/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo',
      '/ip4/127.0.0.1/tcp/8081/ws',
      `/dns4/${'a'.repeat(700)}/tcp/443/wss/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo`,
    ];
    const payload = (relays: string[]) =>
      `#${toBase64Url(encodeValue([2, fromHex(chainIdOf(genesis)), 'family', relays]))}`;
    const short = parseInvite(payload([bad[0]!, RELAY, ...bad.slice(1), RELAY]));
    expect(short.relays).toEqual([RELAY]);
    expect(short.unusableRelays).toBe(bad.length);
    const long = parseInvite(
      `#${toBase64Url(encodeValue([1, encodeGenesis(genesis), [...bad, RELAY]]))}`,
    );
    expect(long).toMatchObject({ relays: [RELAY], unusableRelays: bad.length });
    // A device never writes an unusable address into its own links either.
    expect(makeInvite(genesis, [...bad, RELAY]).relays).toEqual([RELAY]);
  });

  test('every truncation of a real link fails with a sentence, never a DOM error', async () => {
    const genesis = makeGenesis(await newKeys(1), { name: 'family' });
    const link = inviteLink('http://x', makeInvite(genesis, [RELAY]));
    for (let cut = link.indexOf('#') + 1; cut < link.length; cut++) {
      try {
        parseInvite(link.slice(0, cut));
      } catch (error) {
        expect(error).toBeInstanceOf(InviteError);
      }
    }
  });
});

describe("private ledgers' invite links", () => {
  const access = {
    networkSecret: new Uint8Array(32).fill(1),
    epoch: 0,
    key: new Uint8Array(32).fill(2),
  };

  /** A private genesis whose epoch-0 key is `access.key`. */
  async function privateGenesis() {
    const genesis = makeGenesis(await newKeys(1), {
      name: 'ours',
      private: { admission: 'any-validator' },
    });
    return {
      ...genesis,
      membership: { ...genesis.membership!, keyHash: epochKeyHash(0, access.key) },
    };
  }

  test('the short link (3) and the long one (4) carry the access in the fragment', async () => {
    const genesis = await privateGenesis();
    const short = inviteLink('http://x', makeInvite(genesis, [RELAY], access));
    const long = inviteLink('http://x', makeInvite(genesis, [RELAY], access), {
      withGenesis: true,
    });
    for (const [link, version] of [
      [short, 3],
      [long, 4],
    ] as const) {
      const [before, fragment] = link.split('#') as [string, string];
      expect(before).toBe('http://x/join');
      expect((decodeValue(fromBase64Url(fragment), INVITE_BYTES_MAX) as unknown[])[0]).toBe(
        version,
      );
      expect(parseInvite(link)).toMatchObject({
        chainId: chainIdOf(genesis),
        name: 'ours',
        relays: [RELAY],
        access,
      });
    }
    expect(parseInvite(short).genesis).toBeNull();
    console.log(`private invite link: ${short.length} characters (long form: ${long.length})`);
    // A later epoch's key travels too (checked when the device syncs its rotation).
    const later = { ...access, epoch: 7 };
    expect(parseInvite(inviteLink('http://x', makeInvite(genesis, [], later))).access).toEqual(
      later,
    );
  });

  const chainId = new Uint8Array(32).fill(4);
  const shortWith = (accessPart: unknown) =>
    `#${toBase64Url(encodeValue([3, chainId, 'ours', [], accessPart]))}`;
  const secret = access.networkSecret;
  test.each([
    ['no access part', `#${toBase64Url(encodeValue([3, chainId, 'ours', []]))}`],
    ['access not a list', shortWith(secret)],
    ['a field missing', shortWith([secret, 0])],
    ['a field too many', shortWith([secret, 0, access.key, 1])],
    ['a short secret', shortWith([secret.slice(1), 0, access.key])],
    ['a long key', shortWith([secret, 0, new Uint8Array(33)])],
    ['a negative epoch', shortWith([secret, -1, access.key])],
    ['an epoch beyond its bound', shortWith([secret, INVITE_EPOCH_MAX + 1, access.key])],
    ['a fractional epoch', shortWith([secret, 1.5, access.key])],
    ['an epoch in text', shortWith([secret, '0', access.key])],
    ['oversize', shortWith([secret, 0, new Uint8Array(INVITE_BYTES_MAX)])],
  ])('a damaged private link (%s) is an InviteError with a sentence', (_name, link) => {
    expect(() => parseInvite(link)).toThrow(InviteError);
    expect(() => parseInvite(link)).toThrow(/damaged or incomplete/);
  });

  test('a long link whose key is not its ledger’s, or is missing, or is for a public ledger', async () => {
    const genesis = await privateGenesis();
    const refusals: [string, string][] = [
      [
        inviteLink('http://x', makeInvite(genesis, [], { ...access, key: new Uint8Array(32) }), {
          withGenesis: true,
        }),
        'does not open',
      ],
      [inviteLink('http://x', makeInvite(genesis, []), { withGenesis: true }), 'carries no key'],
      [
        inviteLink('http://x', makeInvite(makeGenesis(await newKeys(1)), [], access), {
          withGenesis: true,
        }),
        'ledger is public',
      ],
    ];
    for (const [link, words] of refusals) {
      expect(() => parseInvite(link)).toThrow(InviteError);
      expect(() => parseInvite(link)).toThrow(words);
    }
  });
});

describe('links that name who made them', () => {
  const inviter = { address: 'ab'.repeat(20), name: 'Anna’s laptop' };
  const access = {
    networkSecret: new Uint8Array(32).fill(1),
    epoch: 3,
    key: new Uint8Array(32).fill(2),
  };

  test('public (5) and private (6) short links carry the inviter; unnamed ones stay 2 and 3', async () => {
    const genesis = makeGenesis(await newKeys(1), { name: 'family' });
    const cases = [
      [makeInvite(genesis, [RELAY]), 5],
      [makeInvite(genesis, [RELAY], access), 6],
    ] as const;
    for (const [invite, version] of cases) {
      const link = inviteLink('http://x', { ...invite, inviter });
      const fragment = link.split('#')[1] as string;
      expect((decodeValue(fromBase64Url(fragment), INVITE_BYTES_MAX) as unknown[])[0]).toBe(
        version,
      );
      expect(parseInvite(link)).toEqual({
        chainId: chainIdOf(genesis),
        name: 'family',
        genesis: null,
        relays: [RELAY],
        unusableRelays: 0,
        access: invite.access,
        inviter,
      });
      const unnamed = inviteLink('http://x', invite);
      expect(parseInvite(unnamed).inviter).toBeUndefined();
      expect(
        (decodeValue(fromBase64Url(unnamed.split('#')[1]!), INVITE_BYTES_MAX) as unknown[])[0],
      ).toBe(version - 3);
    }
  });

  test('a name is cut to its bound in whole characters, and blank means none', () => {
    expect(boundedInviterName('  Anna  ')).toBe('Anna');
    expect(boundedInviterName('   ')).toBe('');
    const long = boundedInviterName('é'.repeat(INVITER_NAME_BYTES_MAX));
    expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(INVITER_NAME_BYTES_MAX);
    expect(long).toBe('é'.repeat(INVITER_NAME_BYTES_MAX / 2));
    expect(boundedInviterName('😀'.repeat(100))).toBe('😀'.repeat(INVITER_NAME_BYTES_MAX / 4));
  });

  const chainId = new Uint8Array(32).fill(4);
  const address = new Uint8Array(20).fill(9);
  const named = (part: unknown) => `#${toBase64Url(encodeValue([5, chainId, 'ours', [], part]))}`;
  test.each([
    ['no inviter part', `#${toBase64Url(encodeValue([5, chainId, 'ours', []]))}`],
    ['inviter not a list', named('Anna')],
    ['a field missing', named([address])],
    ['a field too many', named([address, 'Anna', 1])],
    ['a short address', named([address.slice(1), 'Anna'])],
    ['an address in text', named(['09'.repeat(20), 'Anna'])],
    ['a blank name', named([address, '  '])],
    ['a name over its bound', named([address, 'x'.repeat(INVITER_NAME_BYTES_MAX + 1)])],
    ['a name not text', named([address, 7])],
    [
      'a private link without its access',
      `#${toBase64Url(encodeValue([6, chainId, 'ours', [], [address, 'Anna']]))}`,
    ],
  ])('a damaged named link (%s) is an InviteError with a sentence', (_name, link) => {
    expect(() => parseInvite(link)).toThrow(InviteError);
    expect(() => parseInvite(link)).toThrow(/damaged or incomplete/);
  });
});
