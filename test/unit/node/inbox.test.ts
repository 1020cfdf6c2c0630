import { describe, expect, test } from 'vitest';
import { Inbox } from '../../../src/lib/node/inbox';

type Messages = { vote: number; tx: number };

function inbox(): Inbox<Messages> {
  return new Inbox<Messages>({
    vote: { messagesMax: 3, policy: 'drop-oldest' },
    tx: { messagesMax: 2, policy: 'drop-newest' },
  });
}

function drain(box: Inbox<Messages>): string[] {
  const out: string[] = [];
  for (let next = box.take(); next; next = box.take()) out.push(`${next.type}:${next.message}`);
  return out;
}

describe('Inbox', () => {
  test('hands messages out in arrival order across types', () => {
    const box = inbox();
    box.push('vote', 1);
    box.push('tx', 1);
    box.push('vote', 2);
    expect(box.size).toBe(3);
    expect(drain(box)).toEqual(['vote:1', 'tx:1', 'vote:2']);
    expect(box.size).toBe(0);
  });

  test('drop-oldest keeps the newest messages of a full channel and counts the drops', () => {
    const box = inbox();
    for (let i = 1; i <= 5; i++) box.push('vote', i);
    expect(box.sizeOf('vote')).toBe(3);
    expect(drain(box)).toEqual(['vote:3', 'vote:4', 'vote:5']);
    expect(box.dropped()).toEqual({ vote: 2 });
  });

  test('drop-newest refuses newcomers to a full channel; other channels are unaffected', () => {
    const box = inbox();
    expect([1, 2, 3].map((i) => box.push('tx', i))).toEqual([true, true, false]);
    expect(box.push('vote', 9)).toBe(true);
    expect(drain(box)).toEqual(['tx:1', 'tx:2', 'vote:9']);
    expect(box.dropped()).toEqual({ tx: 1 });
  });

  test('stays bounded under a long flood (memory follows the live length)', () => {
    const box = inbox();
    for (let i = 0; i < 100_000; i++) box.push('vote', i);
    expect(box.size).toBe(3);
    expect(box.dropped()).toEqual({ vote: 99_997 });
    expect(drain(box)).toEqual(['vote:99997', 'vote:99998', 'vote:99999']);
  });
});
