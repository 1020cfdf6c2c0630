// A private ledger across three devices (browser contexts) over a real relay, direct WebRTC and
// IndexedDB (issue 16): A creates it; B and C join from A's invite link (it carries the key),
// ask as members and are let in by A's one approval ('any-validator'), and write; the names the
// nodes use on the network (topics, protocol ids) and every WebSocket frame to the relay carry
// no chain id; then A removes C, the key rotates on its own, and the removal is final: C stands
// 'removed', its writes are refused and its height stays at the rotation block while A and B
// commit beyond it. Driven through the node's public API (test/browser/pages/node.ts).
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { committed, openNodeDevice, status, until, viewsAt } from './support/ledger-devices';
import { useLedgerWorld } from './support/ledger-world';

const world = useLedgerWorld();

/** Every WebSocket frame the page sends to or receives from the relay, as bytes. */
function recordRelayFrames(page: Page, relayPort: number, frames: Buffer[]): void {
  page.on('websocket', (socket) => {
    if (!socket.url().includes(`:${relayPort}`)) return;
    const keep = ({ payload }: { payload: string | Buffer }) => {
      frames.push(typeof payload === 'string' ? Buffer.from(payload) : payload);
    };
    socket.on('framesent', keep);
    socket.on('framereceived', keep);
  });
}

const accessOf = async (page: Page, chainId: string) => (await status(page, chainId)).access;

test('a private ledger: members by invite and one approval, opaque names, a final removal', async () => {
  const frames: Buffer[] = [];
  const open = async () => {
    const page = await openNodeDevice(world.browser, world.server.url, world.contexts);
    recordRelayFrames(page, world.relay.port, frames);
    return page;
  };
  const [a, b, c] = await Promise.all([open(), open(), open()]);

  // (1) A creates the ledger private; its invite carries the key. B and C join, read, ask.
  const chainId = await a.evaluate(() => window.ledger.create('ours', 1_000_000, 'private'));
  expect(await accessOf(a, chainId)).toMatchObject({
    standing: 'member',
    epoch: 0,
    members: 1,
    admission: 'any-validator',
  });
  const link = await a.evaluate((id) => window.ledger.invite(id), chainId);
  const joiners = [
    { page: b, label: 'phone B' },
    { page: c, label: 'laptop C' },
  ];
  for (const { page, label } of joiners) {
    expect(await page.evaluate((invite) => window.ledger.join(invite), link)).toBe(chainId);
    expect((await accessOf(page, chainId))?.standing).toBe('invited');
    await page.evaluate(([id, name]) => window.ledger.requestToJoin(id!, name!), [chainId, label]);
  }
  // One approval each (A is the only validator, and the admission is 'any-validator').
  for (const { page, label } of joiners) {
    const fingerprint = (await status(page, chainId)).fingerprint;
    const request = await until(`${label}'s request reaches A`, async () => {
      const requests = await a.evaluate((id) => window.ledger.joinRequests(id), chainId);
      return requests.find((r) => r.publicKey.startsWith(fingerprint));
    });
    expect(request).toMatchObject({ label, asks: 'member', grants: 'member', member: false });
    expect(request.boxKey).toMatch(/^[0-9a-f]{64}$/);
    const admit = await a.evaluate(
      ([id, key]) => window.ledger.approve(id!, key!),
      [chainId, request.publicKey],
    );
    expect(admit.action).toEqual({ kind: 'member-add', address: request.address });
    await committed(a, chainId, admit.hash);
    await until(`${label} becomes a member`, async () =>
      (await accessOf(page, chainId))?.standing === 'member' ? true : null,
    );
    // A member writes; it does not vote.
    expect((await status(page, chainId)).role).toBe('observer');
  }
  const [aAddress, bAddress, cAddress] = await Promise.all(
    [a, b, c].map((page) => page.evaluate(() => window.ledger.address())),
  );
  expect(
    (await a.evaluate((id) => window.ledger.members(id), chainId)).map((m) => m.address),
  ).toEqual(expect.arrayContaining([aAddress, bAddress, cAddress]));

  // The members write: A funds B, B pays C, B and C each put a record; all three agree.
  const funding = await a.evaluate(
    ([id, to]) => window.ledger.transfer(id!, to!, 500),
    [chainId, bAddress],
  );
  await committed(a, chainId, funding.hash);
  const transfer = await b.evaluate(
    ([id, to]) => window.ledger.transfer(id!, to!, 123),
    [chainId, cAddress],
  );
  const bRecord = await b.evaluate((id) => window.ledger.putRecord(id, 'from-b', 'hello'), chainId);
  const cRecord = await c.evaluate((id) => window.ledger.putRecord(id, 'from-c', 'hi'), chainId);
  const heights = [
    await committed(b, chainId, transfer.hash),
    await committed(b, chainId, bRecord.hash),
    await committed(c, chainId, cRecord.hash),
  ];
  const written = Math.max(...heights);
  const views = await viewsAt([a, b, c], chainId, written, cAddress!);
  expect(new Set(views.map((view) => view.hash)).size).toBe(1);
  for (const view of views) {
    expect(view.balance).toBe(123);
    expect(view.records).toEqual(
      expect.arrayContaining([
        { owner: bAddress, key: 'from-b', value: 'hello' },
        { owner: cAddress, key: 'from-c', value: 'hi' },
      ]),
    );
  }
  // Direct WebRTC between the devices, not only the relay.
  await until('a direct WebRTC peer of A', async () => {
    const peers = await a.evaluate((id) => window.ledger.peers(id), chainId);
    return peers.some((peer) => peer.transport === 'webrtc' && peer.role === 'device');
  });

  // (2) The names on the network are the networkId, never the chain id.
  const chainIdBytes = Buffer.from(chainId, 'hex');
  for (const page of [a, b, c]) {
    const names = await page.evaluate((id) => window.ledger.networkNames(id), chainId);
    expect(names.networkName).toMatch(/^[0-9a-z]+$/i);
    expect(names.networkName).not.toContain(chainId);
    const ledgerTopics = names.topics.filter((topic) => topic.includes(names.networkName));
    expect(ledgerTopics.length).toBeGreaterThan(0);
    expect(names.protocols.some((p) => p.includes(`/${names.networkName}/sync/`))).toBe(true);
    for (const name of [...names.topics, ...names.protocols]) expect(name).not.toContain(chainId);
  }
  // What the pages exchanged with the relay (multistream and noise handshakes in clear, then
  // ciphertext): the chain id appears nowhere, neither as hex nor as bytes.
  expect(frames.length).toBeGreaterThan(0);
  for (const frame of frames) {
    expect(frame.includes(chainId)).toBe(false);
    expect(frame.includes(chainIdBytes)).toBe(false);
  }

  // (3) A removes C (A holds all the power: its proposal decides); the key rotates by itself.
  const removal = await a.evaluate(
    ([id, address]) => window.ledger.removeMember(id!, address!),
    [chainId, cAddress],
  );
  expect(removal.action).toEqual({ kind: 'member-remove', address: cAddress });
  await committed(a, chainId, removal.hash);
  const rotation = await until('the key rotation commits on A', async () => {
    const entries = await a.evaluate((id) => window.ledger.activity(id), chainId);
    return entries.find((e) => e.action.kind === 'epoch-rotate' && e.status === 'committed');
  });
  expect(rotation.action).toEqual({ kind: 'epoch-rotate', epoch: 1 });
  const rotationHeight = rotation.height as number;
  await until('C stands removed', async () =>
    (await accessOf(c, chainId))?.standing === 'removed' ? true : null,
  );
  expect((await accessOf(a, chainId))?.epoch).toBe(1);
  await until('B holds the new key', async () => {
    const access = await accessOf(b, chainId);
    return access?.standing === 'member' && access.epoch === 1 ? true : null;
  });
  const members = await b.evaluate((id) => window.ledger.members(id), chainId);
  expect(members.map((m) => m.address).sort()).toEqual([aAddress, bAddress].sort());

  // C's writes are refused; it can no longer invite anyone either.
  const refused = await c.evaluate(async (id) => {
    try {
      await window.ledger.putRecord(id, 'from-c', 'after removal');
      return null;
    } catch (error) {
      return { name: (error as Error).name, code: (error as { code?: string }).code ?? null };
    }
  }, chainId);
  expect(refused).toEqual({ name: 'TxRejectedError', code: 'not-a-member' });
  const invite = await c.evaluate(async (id) => {
    try {
      return await window.ledger.invite(id);
    } catch (error) {
      return (error as Error).name;
    }
  }, chainId);
  expect(invite).toBe('InviteUnavailableError');

  // A and B go on: a write of B commits beyond the rotation on both; C stays at the rotation.
  const after = await b.evaluate(
    (id) => window.ledger.putRecord(id, 'from-b', 'still here'),
    chainId,
  );
  const afterHeight = await committed(b, chainId, after.hash);
  expect(afterHeight).toBeGreaterThan(rotationHeight);
  await until('A commits beyond the rotation', async () =>
    (await status(a, chainId)).height >= afterHeight ? true : null,
  );
  const cStatus = await status(c, chainId);
  expect(cStatus.height).toBe(rotationHeight);
  expect(cStatus.access?.standing).toBe('removed');
  const next = await c.evaluate(
    ([id, h]) => window.ledger.block(id!, Number(h)),
    [chainId, String(rotationHeight + 1)],
  );
  expect(next).toBeNull();
  const aRecords = await a.evaluate((id) => window.ledger.records(id, ''), chainId);
  expect(aRecords).toContainEqual({ owner: bAddress, key: 'from-b', value: 'still here' });
  expect(aRecords).toContainEqual({ owner: cAddress, key: 'from-c', value: 'hi' });
});
