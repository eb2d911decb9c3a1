// Comment-preserving config writer: a structural diff of the original JSON5 tree against the
// desired value, turned into minimal text edits. Whatever did not change keeps its original
// bytes, so users' comments and formatting survive edits made by the app.

import { parseTree } from './parse.ts';
import type { ContainerNode, Node, ParseTree } from './parse.ts';
import { Json5SyntaxError } from './position.ts';
import { Layout, TextEdits, spliceContainer } from './splice.ts';
import type { Entry } from './splice.ts';
import { DEFAULT_STYLE, normalize, stringifyJson5 } from './stringify.ts';
import type { Style } from './stringify.ts';

// Above this many cells the element alignment falls back to common prefix and suffix only.
const MAX_LCS_CELLS = 1_000_000;

type PlainObject = Record<string, unknown>;

function isPlainObject(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!hasOwn(b, k) || !deepEqual((a as PlainObject)[k], (b as PlainObject)[k])) return false;
  }
  return true;
}

/** A string that is equal for two values exactly when they are deepEqual. */
function canonical(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? 'n-0' : `n${v}`;
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as PlainObject)[k])}`).join(',')}}`;
}

class Differ {
  readonly edits = new TextEdits();

  constructor(private readonly layout: Layout) {}

  node(node: Node, next: unknown, inline: boolean): void {
    if (deepEqual(node.value, next)) return;
    if (node.type === 'object' && isPlainObject(next)) this.object(node, next, inline);
    else if (node.type === 'array' && Array.isArray(next)) this.array(node, next, inline);
    else this.edits.add(node.start, node.end, this.layout.renderAt(next, node.start, inline));
  }

  /** Replacement values for members of a one-line container, or of a member sharing its line, stay on one line. */
  private childInline(node: ContainerNode, start: number): boolean {
    return this.layout.singleLine(node) || !this.layout.startsLine(start);
  }

  private object(node: ContainerNode, next: PlainObject, inline: boolean): void {
    const { items } = node;
    const lastIndex = new Map<string, number>();
    items.forEach((it, i) => lastIndex.set(it.key!, i));
    const deleted = items.map((it) => !hasOwn(next, it.key!));
    items.forEach((it, i) => {
      // Earlier duplicates of a key are dead text (the last one wins), so they are left alone.
      if (!deleted[i] && lastIndex.get(it.key!) === i) this.node(it.value, next[it.key!], this.childInline(node, it.start));
    });
    const added: Entry[] = Object.keys(next)
      .filter((k) => !lastIndex.has(k))
      .map((key) => ({ key, value: next[key] }));
    if (added.length === 0 && !deleted.includes(true)) return;
    const inserts: Entry[][] = [];
    inserts[items.length] = added;
    spliceContainer(this.layout, this.edits, node, deleted, inserts, next, inline);
  }

  private array(node: ContainerNode, next: unknown[], inline: boolean): void {
    const { items } = node;
    const n = items.length;
    if (n === next.length) {
      items.forEach((it, i) => this.node(it.value, next[i], this.childInline(node, it.start)));
      return;
    }
    // Align unchanged elements, then pair up the rest gap by gap: paired elements are edited in
    // place (keeping their comments), surplus originals are deleted, surplus new ones inserted.
    const deleted = new Array<boolean>(n).fill(false);
    const inserts: Entry[][] = Array.from({ length: n + 1 }, () => []);
    let pi = -1;
    let pj = -1;
    for (const [i, j] of [
      ...align(
        items.map((it) => it.value.value),
        next,
      ),
      [n, next.length] as const,
    ]) {
      const k = i - pi - 1;
      const l = j - pj - 1;
      const paired = Math.min(k, l);
      for (let t = 0; t < paired; t++) {
        const item = items[pi + 1 + t]!;
        this.node(item.value, next[pj + 1 + t], this.childInline(node, item.start));
      }
      for (let t = paired; t < k; t++) deleted[pi + 1 + t] = true;
      for (let t = paired; t < l; t++) inserts[i]!.push({ value: next[pj + 1 + t] });
      pi = i;
      pj = j;
    }
    spliceContainer(this.layout, this.edits, node, deleted, inserts, next, inline);
  }
}

/** Index pairs of equal elements (increasing in both), via common prefix/suffix and an LCS of the middle. */
function align(a: unknown[], b: unknown[]): (readonly [number, number])[] {
  const ka = a.map(canonical);
  const kb = b.map(canonical);
  const n = ka.length;
  const m = kb.length;
  let p = 0;
  while (p < n && p < m && ka[p] === kb[p]) p++;
  let s = 0;
  while (s < n - p && s < m - p && ka[n - 1 - s] === kb[m - 1 - s]) s++;
  const pairs: (readonly [number, number])[] = [];
  for (let i = 0; i < p; i++) pairs.push([i, i]);
  const rows = n - p - s;
  const cols = m - p - s;
  if (rows > 0 && cols > 0 && (rows + 1) * (cols + 1) <= MAX_LCS_CELLS) {
    const w = cols + 1;
    const dp = new Uint32Array((rows + 1) * w);
    for (let i = rows - 1; i >= 0; i--) {
      for (let j = cols - 1; j >= 0; j--) {
        dp[i * w + j] = ka[p + i] === kb[p + j] ? dp[(i + 1) * w + j + 1]! + 1 : Math.max(dp[(i + 1) * w + j]!, dp[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < rows && j < cols) {
      if (ka[p + i] === kb[p + j]) {
        pairs.push([p + i, p + j]);
        i++;
        j++;
      } else if (dp[(i + 1) * w + j]! >= dp[i * w + j + 1]!) i++;
      else j++;
    }
  }
  for (let t = s; t > 0; t--) pairs.push([n - t, m - t]);
  return pairs;
}

/** Picks up the file's conventions so that inserted text looks like the text around it. */
function detectStyle(text: string, tree: ParseTree, layout: Layout): Style {
  let quoted = 0;
  let bare = 0;
  let single = 0;
  let double = 0;
  let withComma = 0;
  let withoutComma = 0;
  let indent: string | undefined;
  const visit = (node: Node): void => {
    if (node.type === 'scalar') {
      if (typeof node.value === 'string') {
        if (text.charCodeAt(node.start) === 39) single++;
        else double++;
      }
      return;
    }
    // Outer containers come first: the root's members show the file's indent unit most reliably.
    const last = node.items[node.items.length - 1];
    if (last && layout.startsLine(last.start)) {
      if (last.comma >= 0) withComma++;
      else withoutComma++;
      if (indent === undefined) {
        const outer = layout.lineIndent(node.start);
        const inner = layout.lineIndent(last.start);
        if (inner.length > outer.length && inner.startsWith(outer)) indent = inner.slice(outer.length);
      }
    }
    for (const item of node.items) {
      if (item.key !== undefined) {
        const c = text.charCodeAt(item.start);
        if (c === 34 || c === 39) quoted++;
        else bare++;
      }
      visit(item.value);
    }
  };
  visit(tree.root);
  return {
    indent: indent ?? DEFAULT_STYLE.indent,
    quoteKeys: quoted > 0 && bare === 0,
    quote: single > double ? "'" : '"',
    trailingCommas: !(withoutComma > 0 && withComma === 0),
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}

/**
 * Rewrites `originalText` so that it parses to `next`, keeping the bytes of everything whose
 * value did not change (comments, indentation, quoting, trailing commas). Falls back to a fresh
 * `stringifyJson5(next)` when the original is empty or not valid JSON5.
 */
export function editJson5(originalText: string, next: unknown): string {
  const target = normalize(next) ?? null;
  let tree: ParseTree;
  try {
    tree = parseTree(originalText);
  } catch (err) {
    if (err instanceof Json5SyntaxError) return stringifyJson5(target);
    throw err;
  }
  const probe = new Layout(tree, originalText, DEFAULT_STYLE);
  const layout = new Layout(tree, originalText, detectStyle(originalText, tree, probe));
  const differ = new Differ(layout);
  differ.node(tree.root, target, false);
  return differ.edits.apply(originalText);
}
