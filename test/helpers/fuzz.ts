// A seeded generator of malformed payloads: valid templates with fields deleted or replaced by
// values of the wrong type, at any depth. Same seed, same cases, so a failure can be replayed.

/** mulberry32: small, fast, good enough to spread mutations; not for anything secret. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LONG = 'a'.repeat(5000);

export class Fuzzer {
  private readonly random: () => number;
  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** A value of any JSON-ish type (and a few a JSON parser never makes: undefined, NaN, Infinity). */
  junk(depth = 0): unknown {
    const simple = [undefined, null, true, false, 0, -1, 1.5, 2 ** 60, NaN, Infinity, '', 'x', '@', '123:topic:x', LONG];
    const kind = this.int(depth > 2 ? 1 : 4);
    if (kind === 0) return this.pick(simple);
    if (kind === 1) return Array.from({ length: this.int(3) }, () => this.junk(depth + 1));
    if (kind === 2) return { id: this.junk(depth + 1), type: this.junk(depth + 1) };
    return {};
  }

  /** A deep copy of `template` with 1–3 random deletions or replacements anywhere in it. */
  mutate(template: unknown): unknown {
    const copy = structuredClone(template) as unknown;
    let root: unknown = copy;
    for (let n = 1 + this.int(3); n > 0; n--) {
      const path = this.randomPath(root);
      if (path.length === 0) {
        root = this.junk();
        continue;
      }
      const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], root) as Record<string, unknown>;
      const key = path[path.length - 1]!;
      if (this.int(3) === 0 && !Array.isArray(parent)) delete parent[key];
      else parent[key] = this.junk();
    }
    return root;
  }

  /** A path to some node, walking down a random number of levels. */
  private randomPath(root: unknown): string[] {
    const path: string[] = [];
    let node = root;
    // The root itself is replaced only now and then: mutations deep inside are the interesting ones.
    if (this.int(40) === 0) return path;
    for (;;) {
      if (node === null || typeof node !== 'object') return path;
      const keys = Object.keys(node);
      if (keys.length === 0) return path;
      const key = this.pick(keys);
      path.push(key);
      node = (node as Record<string, unknown>)[key];
      if (this.int(3) === 0) return path;
    }
  }
}
