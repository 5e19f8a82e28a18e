import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../storage/group-commit.ts';

describe('GroupCommit', () => {
  it('joins callers that arrive during a write into the next batch', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const commit = new GroupCommit<number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
    });
    const first = commit.submit([1]);
    await Promise.resolve();
    await Promise.resolve();
    const rest = [2, 3, 4].map((n) => commit.submit([n]));
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects every caller of a failed batch and recovers for the next', async () => {
    let fail = true;
    const commit = new GroupCommit<number>(async () => {
      if (fail) throw new Error('disk full');
    });
    const results = await Promise.allSettled([commit.submit([1]), commit.submit([2])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(commit.submit([3])).resolves.toBeUndefined();
  });
});
