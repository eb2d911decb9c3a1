// The last answer per key, reused for a short while: checks that run on every turn (persona
// files, skills folders) would otherwise repeat the same file-system calls for every message of
// a busy gateway. A change on disk shows once the answer is older than `ttlMs`.
export class RecentAnswers<V> {
  private readonly answers = new Map<string, { at: number; value: V }>();

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
}
