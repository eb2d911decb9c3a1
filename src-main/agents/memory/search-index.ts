// The pure-TypeScript full-text index of one memory pool (no native SQLite,
// docs/memory-tasks.md#memory): words are lower-cased, accent-folded and lightly stemmed; an
// inverted index (term → notes, term counts) lives in memory and ranks with BM25, ties going to
// the newer note.

const STOPWORDS = new Set(
  (
    'a an and are as at be but by for from had has have he her his i if in into is it its me my no not of on or our ' +
    'she so that the their them then there these they this to was we were what when where which who will with you your'
  ).split(' '),
);

/** Light suffix stripping (plural, -ing, -ed, -ly), enough for "meetings" to find "meeting". */
export function stem(w: string): string {
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (w.endsWith('ing') && w.length > 5) return w.slice(0, -3);
  if (w.endsWith('ed') && w.length > 4) return w.slice(0, -2);
  if (w.endsWith('ly') && w.length > 4) return w.slice(0, -2);
  if (w.endsWith('es') && w.length > 4 && /(?:ch|sh|x|z)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) return w.slice(0, -1);
  return w;
}

/** Search terms of a text, in order, duplicates kept (term frequency counts them). */
export function tokenize(text: string): string[] {
  // eslint-disable-next-line no-control-regex -- ASCII text needs no accent folding (the common, fast case)
  const ascii = /^[\x00-\x7f]*$/.test(text);
  const folded = ascii
    ? text.toLowerCase()
    : text
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase();
  const out: string[] = [];
  for (const raw of folded.split(ascii ? /[^a-z0-9]+/ : /[^\p{L}\p{N}]+/u)) {
    if (!raw || raw.length > 64 || STOPWORDS.has(raw)) continue;
    out.push(stem(raw));
  }
  return out;
}

/** One term's postings in growable typed arrays (compact, and fast to scan). */
interface Postings {
  n: number;
  docs: Int32Array;
  tfs: Uint16Array;
}

function push(p: Postings, doc: number, tf: number): void {
  if (p.n === p.docs.length) {
    const docs = new Int32Array(p.n * 2);
    docs.set(p.docs);
    const tfs = new Uint16Array(p.n * 2);
    tfs.set(p.tfs);
    p.docs = docs;
    p.tfs = tfs;
  }
  p.docs[p.n] = doc;
  p.tfs[p.n] = Math.min(tf, 65535);
  p.n++;
}

export interface SearchHit<T> {
  doc: T;
  score: number;
}

const K1 = 1.2;
const B = 0.75;

export class SearchIndex<T> {
  private readonly docs: T[] = [];
  private readonly lengths: number[] = [];
  private readonly postings = new Map<string, Postings>();
  private totalLength = 0;
  private scratch = new Float64Array(0);

  get size(): number {
    return this.docs.length;
  }

  /** Adds a document; `text` is what is searched (tags included by the caller). */
  add(doc: T, text: string): void {
    const idx = this.docs.length;
    this.docs.push(doc);
    const counts = new Map<string, number>();
    for (const t of tokenize(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
    let len = 0;
    for (const [term, tf] of counts) {
      len += tf;
      let p = this.postings.get(term);
      if (!p) this.postings.set(term, (p = { n: 0, docs: new Int32Array(2), tfs: new Uint16Array(2) }));
      push(p, idx, tf);
    }
    this.lengths.push(len);
    this.totalLength += len;
  }

  /** The `limit` best documents for `query` by BM25 (newer first on equal scores); none for an empty query. */
  search(query: string, limit: number): SearchHit<T>[] {
    const n = this.docs.length;
    const terms = [...new Set(tokenize(query))];
    if (n === 0 || terms.length === 0 || limit <= 0) return [];
    if (this.scratch.length < n) this.scratch = new Float64Array(Math.max(n, this.scratch.length * 2));
    const scores = this.scratch;
    const touched: number[] = [];
    const avg = this.totalLength / n || 1;
    const lengths = this.lengths;
    for (const term of terms) {
      const p = this.postings.get(term);
      if (!p) continue;
      const df = p.n;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const { docs, tfs } = p;
      for (let i = 0; i < df; i++) {
        const d = docs[i]!;
        const tf = tfs[i]!;
        const s = idf * ((tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * lengths[d]!) / avg)));
        if (scores[d] === 0) touched.push(d);
        scores[d]! += s;
      }
    }
    const top = topK(touched, scores, limit);
    const hits = top.map((d) => ({ doc: this.docs[d]!, score: scores[d]! }));
    for (const d of touched) scores[d] = 0;
    return hits;
  }
}

/** The k best of `ids` by score, then by higher id (newer), without sorting everything. */
function topK(ids: number[], scores: Float64Array, k: number): number[] {
  const better = (a: number, b: number): boolean => scores[a]! > scores[b]! || (scores[a] === scores[b] && a > b);
  const best: number[] = [];
  for (const d of ids) {
    if (best.length === k && !better(d, best[k - 1]!)) continue;
    let i = best.length === k ? k - 1 : best.length;
    while (i > 0 && better(d, best[i - 1]!)) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = d;
  }
  return best;
}
