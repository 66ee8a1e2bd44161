// Group commit: writes that arrive while one is in flight share the next request.
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../src/adapters/tables/group-commit.js';

/** A sender whose requests end only when told to; records every group it was given. */
function gatedSender() {
  const groups: string[][] = [];
  const gates: (() => void)[] = [];
  let failNext: Error | undefined;
  const send = (items: readonly string[]) => {
    groups.push([...items]);
    const error = failNext;
    failNext = undefined;
    return new Promise<void>((resolve, reject) =>
      gates.push(() => (error ? reject(error) : resolve())),
    );
  };
  const openAll = async () => {
    while (gates.length > 0 || (await settle())) gates.shift()?.();
  };
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    return gates.length > 0;
  };
  return { groups, send, openAll, fail: (e: Error) => (failNext = e), settle };
}

describe('GroupCommit', () => {
  it('sends what arrives while a request is in flight together in the next one', async () => {
    const s = gatedSender();
    const commit = new GroupCommit<string>(s.send, (x) => x);
    const first = [commit.add('a'), commit.add('b')];
    await s.settle();
    const later = ['c', 'd', 'e'].map((x) => commit.add(x));
    await s.openAll();
    await Promise.all([...first, ...later]);
    expect(s.groups).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
  });

  it('never sends more than the maximum in one request, nor one key twice', async () => {
    const s = gatedSender();
    const commit = new GroupCommit<string>(s.send, (x) => x.toLowerCase(), 3);
    const all = ['a', 'A', 'b', 'c', 'd', 'e', 'f', 'g'].map((x) => commit.add(x));
    await s.openAll();
    await Promise.all(all);
    expect(s.groups).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
  });

  it('fails only the writes of the group whose request failed', async () => {
    const s = gatedSender();
    const commit = new GroupCommit<string>(s.send, (x) => x);
    s.fail(new Error('503 Server Busy'));
    const failed = [commit.add('a'), commit.add('b')];
    await s.settle();
    const ok = commit.add('c');
    const outcomes = Promise.allSettled([...failed, ok]);
    await s.openAll();
    expect((await outcomes).map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });
});
