// The last answer per key, reused for a short while: checks that run on every turn (persona
// files, skills folders, the skills list) would otherwise repeat the same file-system calls for
// every message of a busy gateway. A change on disk shows once the answer is older than `ttlMs`.
export class RecentAnswers<V> {
  private readonly answers = new Map<string, { at: number; value: V }>();
  /** Answers being worked out: the turns that ask meanwhile wait for the same one. */
  private readonly pending = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly max = 4096,
  ) {}

  /** The answer remembered for `key` if it is younger than ttlMs (a clock that went back does not count). */
  get(key: string): V | undefined {
    const seen = this.answers.get(key);
    if (!seen) return undefined;
    const age = this.now() - seen.at;
    return age >= 0 && age < this.ttlMs ? seen.value : undefined;
  }

  set(key: string, value: V): void {
    if (this.answers.size >= this.max) this.answers.clear();
    this.answers.set(key, { at: this.now(), value });
  }

  /**
   * The recent answer for `key`, else `load`'s, remembered. Callers arriving while a load runs
   * share it: when an answer expires under load, the dozens of turns in flight would otherwise
   * each repeat the check. A load that rejects is not remembered (every waiter sees the error).
   */
  async getOrLoad(key: string, load: () => Promise<V>): Promise<V> {
    const seen = this.get(key);
    if (seen !== undefined) return seen;
    let running = this.pending.get(key);
    if (!running) {
      running = load()
        .then((value) => {
          this.set(key, value);
          return value;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, running);
    }
    return running;
  }
}
