// RecentAnswers: the short-lived memory of per-turn file-system checks (persona files, skills):
// an answer is reused while it is young, worked out again once it is not, and turns that ask
// while it is being worked out share that one load.
import { describe, expect, it } from 'vitest';
import { RecentAnswers } from '../../src-main/agents/recent-answers.ts';

describe('RecentAnswers.getOrLoad', () => {
  it('runs one load for callers that arrive while it is running, and gives them all its answer', async () => {
    const answers = new RecentAnswers<string>(1000, () => 0);
    let loads = 0;
    let finish!: (v: string) => void;
    const load = () => {
      loads++;
      return new Promise<string>((r) => (finish = r));
    };
    const waiting = Array.from({ length: 5 }, () => answers.getOrLoad('k', load));
    finish('listed');
    expect(await Promise.all(waiting)).toEqual(['listed', 'listed', 'listed', 'listed', 'listed']);
    expect(loads).toBe(1);
  });

  it('reuses an answer younger than its lifetime and loads again once it is that old', async () => {
    let now = 0;
    const answers = new RecentAnswers<number>(1000, () => now);
    let loads = 0;
    const load = async () => ++loads;
    expect(await answers.getOrLoad('k', load)).toBe(1);
    now = 999;
    expect(await answers.getOrLoad('k', load)).toBe(1);
    now = 1000;
    expect(await answers.getOrLoad('k', load)).toBe(2);
  });

  it('does not remember a load that failed: every waiter sees the error and the next call loads again', async () => {
    const answers = new RecentAnswers<string>(1000, () => 0);
    let calls = 0;
    const failing = async (): Promise<string> => {
      calls++;
      throw new Error('EACCES: skills folder unreadable');
    };
    const both = [answers.getOrLoad('k', failing), answers.getOrLoad('k', failing)];
    for (const p of both) await expect(p).rejects.toThrow(/EACCES/);
    expect(calls).toBe(1);
    expect(await answers.getOrLoad('k', async () => 'ok')).toBe('ok');
  });
});
