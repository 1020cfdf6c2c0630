import { describe, expect, it } from 'vitest';
import {
  GroupCommit,
  GroupCommitFullError,
  type Outcome,
} from '../../../src/lib/node/group-commit';

/** A processor that records its batches and finishes each when the test says so. */
function recorder() {
  const batches: number[][] = [];
  const finish: (() => void)[] = [];
  const process = (requests: readonly number[]): Promise<Outcome<number>[]> => {
    batches.push([...requests]);
    return new Promise((resolve) => {
      finish.push(() =>
        resolve(
          requests.map((n) =>
            n < 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: n * 10 },
          ),
        ),
      );
    });
  };
  return { batches, finish, process };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('GroupCommit', () => {
  it('processes a lone request at once, and those that arrive meanwhile as one batch', async () => {
    const r = recorder();
    const group = new GroupCommit(r.process, { batchMax: 10, waitingMax: 100 });
    const first = group.submit(1);
    await tick();
    expect(r.batches).toEqual([[1]]);
    const later = [2, 3, 4].map((n) => group.submit(n));
    await tick();
    expect(r.batches).toEqual([[1]]);
    r.finish.shift()?.();
    expect(await first).toBe(10);
    await tick();
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
    r.finish.shift()?.();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('caps a batch at batchMax and keeps arrival order', async () => {
    const r = recorder();
    const group = new GroupCommit(r.process, { batchMax: 2, waitingMax: 100 });
    const all = [1, 2, 3, 4, 5].map((n) => group.submit(n));
    for (let i = 0; i < 3; i++) {
      await tick();
      r.finish.shift()?.();
    }
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
    expect(r.batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('settles each request with its own outcome', async () => {
    const r = recorder();
    const group = new GroupCommit(r.process, { batchMax: 10, waitingMax: 100 });
    const results = [5, -1, 6].map((n) => group.submit(n).catch((e: Error) => e.message));
    for (let i = 0; i < 2; i++) {
      await tick();
      r.finish.shift()?.();
    }
    expect(await Promise.all(results)).toEqual([50, 'bad -1', 60]);
    expect(r.batches).toEqual([[5], [-1, 6]]);
  });

  it('rejects the whole batch when processing throws, and goes on with the next', async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>(
      async (requests) => {
        calls++;
        if (calls === 1) throw new Error('store closed');
        return requests.map((n) => ({ ok: true, value: n }));
      },
      { batchMax: 10, waitingMax: 100 },
    );
    await expect(group.submit(1)).rejects.toThrow('store closed');
    expect(await group.submit(2)).toBe(2);
  });

  it('refuses requests beyond waitingMax with a typed error', async () => {
    const r = recorder();
    const group = new GroupCommit(r.process, { batchMax: 10, waitingMax: 2 });
    const first = group.submit(1); // taken into the first batch at once
    const waiting = [group.submit(2), group.submit(3)];
    await expect(group.submit(4)).rejects.toBeInstanceOf(GroupCommitFullError);
    expect(group.waiting).toBe(2);
    r.finish.shift()?.();
    await first;
    await tick();
    r.finish.shift()?.();
    expect(await Promise.all(waiting)).toEqual([20, 30]);
  });
});
