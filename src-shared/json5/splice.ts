// Text surgery for the editor: deleting and inserting members of an object or array inside
// hand-written JSON5 while leaving every other byte alone. The layout rules decide which
// comments belong to a member (the comment lines directly above it and the comment after it on
// its line) and whether the container is written one member per line or inline.

import { isInlineSpace, isLineTerminator as isLineBreak } from './chars.ts';
import type { Comment, ContainerNode, Item, ParseTree } from './parse.ts';
import type { LineMap } from './position.ts';
import { formatInline, formatKey, formatValue } from './stringify.ts';
import type { Style } from './stringify.ts';

export interface Entry {
  key?: string;
  value: unknown;
}

/** Replacements against the original text. They never overlap; insertions at one offset keep their recording order. */
export class TextEdits {
  private readonly edits: { start: number; end: number; text: string; seq: number }[] = [];

  add(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text, seq: this.edits.length });
  }

  apply(original: string): string {
    // Insertions sort before a replacement starting at the same offset, and among themselves
    // keep the order they were recorded in.
    const sorted = [...this.edits].sort((a, b) => a.start - b.start || a.end - b.end || a.seq - b.seq);
    let out = '';
    let pos = 0;
    for (const e of sorted) {
      if (e.start < pos) throw new Error(`internal error: overlapping JSON5 edits at offset ${e.start}`);
      out += original.slice(pos, e.start) + e.text;
      pos = e.end;
    }
    return out + original.slice(pos);
  }
}

export class Layout {
  readonly text: string;
  private readonly comments: Comment[];
  private readonly lines: LineMap;

  constructor(
    tree: ParseTree,
    text: string,
    readonly style: Style,
  ) {
    this.text = text;
    this.comments = tree.comments;
    this.lines = tree.lines;
  }

  lineStart(pos: number): number {
    return pos - this.lines.pos(pos).column + 1;
  }

  lineIndent(pos: number): string {
    const start = this.lineStart(pos);
    let end = start;
    while (end < pos && isInlineSpace(this.text.charCodeAt(end))) end++;
    return this.text.slice(start, end);
  }

  /** True when only indentation precedes `pos` on its line. */
  startsLine(pos: number): boolean {
    for (let i = pos - 1; i >= 0; i--) {
      const c = this.text.charCodeAt(i);
      if (isLineBreak(c)) return true;
      if (!isInlineSpace(c)) return false;
    }
    return true;
  }

  singleLine(node: ContainerNode): boolean {
    return this.lines.line(node.start) === this.lines.line(node.end - 1);
  }

  private skipSpace(pos: number): number {
    while (pos < this.text.length && isInlineSpace(this.text.charCodeAt(pos))) pos++;
    return pos;
  }

  /** Offset just past the line break at `pos` (after inline space), or -1 when the line goes on. */
  lineBreakEnd(pos: number): number {
    const p = this.skipSpace(pos);
    const c = this.text.charCodeAt(p);
    if (c === 13 && this.text.charCodeAt(p + 1) === 10) return p + 2;
    return isLineBreak(c) ? p + 1 : -1;
  }

  private firstCommentFrom(pos: number): number {
    let lo = 0;
    let hi = this.comments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.comments[mid]!.start < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  hasCommentBetween(start: number, end: number): boolean {
    const c = this.comments[this.firstCommentFrom(start)];
    return c !== undefined && c.start < end;
  }

  private lineBreaks(start: number, end: number): number {
    let count = 0;
    for (let i = start; i < end; i++) {
      const c = this.text.charCodeAt(i);
      if (isLineBreak(c) && !(c === 13 && this.text.charCodeAt(i + 1) === 10)) count++;
    }
    return count;
  }

  /** End of an item together with its comma and any comment that follows on the same line. */
  tailEnd(item: Item): number {
    let t = item.comma >= 0 ? item.comma + 1 : item.value.end;
    for (;;) {
      const p = this.skipSpace(t);
      const c = this.comments[this.firstCommentFrom(p)];
      if (!c || c.start !== p || this.lineBreaks(c.start, c.end) > 0) return t;
      t = c.end;
      if (this.text.charCodeAt(c.start + 1) === 47) return t;
    }
  }

  /** Start of the comment lines directly above a line-leading item (no blank line between), or the item. */
  ownStart(item: Item, boundary: number): number {
    let cur = item.start;
    let idx = this.firstCommentFrom(cur) - 1;
    while (idx >= 0) {
      const c = this.comments[idx]!;
      if (c.start < boundary || this.lineBreaks(c.end, cur) !== 1 || !this.startsLine(c.start)) break;
      cur = c.start;
      idx--;
    }
    return cur;
  }

  /** The span to remove so that the item, its comma and its own comments disappear. */
  deletionRange(item: Item, boundary: number, first: boolean): [number, number] {
    const tail = this.tailEnd(item);
    const br = this.lineBreakEnd(tail);
    if (this.startsLine(item.start)) {
      const own = this.ownStart(item, boundary);
      if (br < 0) return [own, this.skipSpace(tail)];
      const start = this.lineStart(own);
      // Keep blank-line separation tidy: a member between two blank lines takes one of them along,
      // and so does a member right after the opening bracket or right before the closing one.
      const prevBlank = this.blankLineBefore(start, boundary);
      const nextBlank = this.lineBreakEnd(br);
      const c = this.text.charCodeAt(this.skipSpace(br));
      if (nextBlank >= 0 && (prevBlank >= 0 || (first && this.lineBreaks(boundary, start) === 1))) return [start, nextBlank];
      if (prevBlank >= 0 && (c === 125 || c === 93)) return [prevBlank, br];
      return [start, br];
    }
    if (br < 0) return [item.start, this.skipSpace(tail)];
    let start = item.start;
    while (start > boundary && isInlineSpace(this.text.charCodeAt(start - 1))) start--;
    return [start, tail];
  }

  /** Start of the blank line that ends at line start `pos`, if there is one after `boundary`. */
  private blankLineBefore(pos: number, boundary: number): number {
    if (pos === 0) return -1;
    const ls = this.lineStart(pos - 1);
    if (ls < boundary || ls === pos) return -1;
    for (let i = ls; i < pos; i++) {
      const c = this.text.charCodeAt(i);
      if (!isInlineSpace(c) && !isLineBreak(c)) return -1;
    }
    return ls;
  }

  /** New elements next to an element written as a one-line object or array are written the same way. */
  isFlatContainer(item: Item): boolean {
    return item.value.type !== 'scalar' && item.value.items.length > 0 && this.singleLine(item.value);
  }

  renderEntry(e: Entry, indent: string, inline: boolean): string {
    const key = e.key !== undefined ? `${formatKey(e.key, this.style)}: ` : '';
    if (inline) return key + formatInline(e.value, this.style);
    return key + formatValue(e.value, this.style, indent, indent.length + key.length);
  }

  /** Text for a value that replaces whatever starts at `pos`. */
  renderAt(value: unknown, pos: number, inline: boolean): string {
    if (inline) return formatInline(value, this.style);
    return formatValue(value, this.style, this.lineIndent(pos), pos - this.lineStart(pos));
  }
}

/**
 * Applies deletions and insertions to one container. `deleted[i]` removes item i; `inserts[g]`
 * are new entries placed before item g (g = items.length appends). `next` is the container's
 * complete new value, used when nothing of the original survives.
 */
export function spliceContainer(
  layout: Layout,
  edits: TextEdits,
  node: ContainerNode,
  deleted: boolean[],
  inserts: (Entry[] | undefined)[],
  next: unknown,
  inline: boolean,
): void {
  const { items } = node;
  const n = items.length;
  const { eol } = layout.style;
  // Entries placed before a deleted item go before the next surviving one instead.
  const before: Entry[][] = Array.from({ length: n + 1 }, () => []);
  let pending: Entry[] = [];
  for (let g = 0; g <= n; g++) {
    pending = pending.concat(inserts[g] ?? []);
    if (g === n || !deleted[g]) {
      before[g] = pending;
      pending = [];
    }
  }
  const appended = before[n]!;
  const kept = items.map((_, i) => i).filter((i) => !deleted[i]);
  const anyInsert = before.some((b) => b.length > 0);

  if (n === 0) {
    if (anyInsert) insertIntoEmpty(layout, edits, node, appended, next, inline);
    return;
  }
  if (kept.length === 0 && anyInsert) {
    edits.add(node.start, node.end, layout.renderAt(next, node.start, inline));
    return;
  }

  const boundary = (i: number): number => (i === 0 ? node.start + 1 : layout.tailEnd(items[i - 1]!));
  const ranges: [number, number][] = [];
  const last = kept[kept.length - 1];
  const trailingComma = items[n - 1]!.comma >= 0;
  let stopAt = n;
  if (last !== undefined && last < n - 1 && !trailingComma && appended.length === 0) {
    // The surviving last item must lose its comma, since the original had none after its last item.
    const lastItem = items[last]!;
    const runInline = items.slice(last + 1).every((it) => !layout.startsLine(it.start));
    const closeOnSameLine = layout.lineBreakEnd(layout.tailEnd(items[n - 1]!)) < 0;
    // Cutting from the survivor's value to the end is tidiest, unless that would take the
    // survivor's own trailing comment with it.
    const survivorComment = layout.tailEnd(lastItem) > lastItem.comma + 1;
    if ((runInline || closeOnSameLine) && !survivorComment) {
      ranges.push([lastItem.value.end, layout.tailEnd(items[n - 1]!)]);
      stopAt = last + 1;
    } else {
      ranges.push([lastItem.comma, lastItem.comma + 1]);
    }
  }
  for (let i = 0; i < stopAt; i++) {
    if (deleted[i]) ranges.push(layout.deletionRange(items[i]!, boundary(i), i === 0));
  }
  // Neighbouring deletions may both claim the blank line between them.
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) ranges[i]![0] = Math.max(ranges[i]![0], ranges[i - 1]![1]);

  if (kept.length === 0 && onlyWhitespaceLeft(layout.text, node, ranges)) {
    edits.add(node.start, node.end, node.type === 'object' ? '{}' : '[]');
    return;
  }
  for (const [start, end] of ranges) if (end > start) edits.add(start, end, '');

  for (let g = 0; g < n; g++) {
    const entries = before[g]!;
    if (entries.length === 0) continue;
    const item = items[g]!;
    if (layout.startsLine(item.start)) {
      const indent = layout.lineIndent(item.start);
      const at = layout.lineStart(layout.ownStart(item, boundary(g)));
      const flat = node.type === 'array' && layout.isFlatContainer(item);
      edits.add(at, at, entries.map((e) => `${indent}${layout.renderEntry(e, indent, flat)},${eol}`).join(''));
    } else {
      edits.add(item.start, item.start, entries.map((e) => `${layout.renderEntry(e, '', true)}, `).join(''));
    }
  }

  if (appended.length > 0 && last !== undefined) {
    const lastItem = items[last]!;
    const hasComma = lastItem.comma >= 0;
    if (layout.startsLine(lastItem.start)) {
      const indent = layout.lineIndent(lastItem.start);
      if (!hasComma) edits.add(lastItem.value.end, lastItem.value.end, ',');
      const at = layout.tailEnd(lastItem);
      const flat = node.type === 'array' && layout.isFlatContainer(lastItem);
      const text = appended.map((e, k) => {
        const comma = k < appended.length - 1 || trailingComma ? ',' : '';
        return `${eol}${indent}${layout.renderEntry(e, indent, flat)}${comma}`;
      });
      edits.add(at, at, text.join(''));
    } else if (hasComma) {
      const text = appended.map((e) => ` ${layout.renderEntry(e, '', true)}`).join(',');
      edits.add(lastItem.comma + 1, lastItem.comma + 1, text + (trailingComma ? ',' : ''));
    } else {
      const text = appended.map((e) => `, ${layout.renderEntry(e, '', true)}`).join('');
      edits.add(lastItem.value.end, lastItem.value.end, text);
    }
  }
}

function onlyWhitespaceLeft(text: string, node: ContainerNode, ranges: [number, number][]): boolean {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let rest = '';
  let pos = node.start + 1;
  for (const [start, end] of sorted) {
    rest += text.slice(pos, start);
    pos = end;
  }
  rest += text.slice(pos, node.end - 1);
  return rest.trim() === '';
}

/** Fills `{}`/`[]`; when the empty container holds comments they stay, above the new entries. */
function insertIntoEmpty(layout: Layout, edits: TextEdits, node: ContainerNode, entries: Entry[], next: unknown, inline: boolean): void {
  const close = node.end - 1;
  if (!layout.hasCommentBetween(node.start + 1, close)) {
    edits.add(node.start, node.end, layout.renderAt(next, node.start, inline));
    return;
  }
  const { text, style } = layout;
  const base = layout.lineIndent(node.start);
  let end = close;
  while (end > node.start + 1 && text[end - 1]!.trim() === '') end--;
  const firstContent = end > node.start + 1 ? text.slice(node.start + 1, end).search(/\S/) + node.start + 1 : close;
  const indent = layout.startsLine(firstContent) ? layout.lineIndent(firstContent) : base + style.indent;
  const body = entries.map((e, k) => {
    const comma = k < entries.length - 1 || style.trailingCommas ? ',' : '';
    return `${style.eol}${indent}${layout.renderEntry(e, indent, false)}${comma}`;
  });
  edits.add(end, close, `${body.join('')}${style.eol}${base}`);
}
