// The public face of the parser: the parsed value plus position look-ups, so that config
// validation errors (which only know a JSON path) can still be reported as file:line:column.

import { parseTree, parseValue } from './parse.ts';
import type { ContainerNode, Item, Node } from './parse.ts';
import type { JsonPath, LineMap, SourcePos } from './position.ts';

/** A position answer; `exact` is false when the path does not exist and an ancestor was located instead. */
export interface LocatedPos extends SourcePos {
  exact: boolean;
}

export interface Json5Document {
  /** The plain value, as `JSON5.parse` would return it. */
  value: unknown;
  /** Position of the value at `path`, or of the deepest existing ancestor's value (`exact: false`). */
  locate(path: JsonPath): LocatedPos | undefined;
  /**
   * Position of the key of the object member at `path`. For an array element (which has no key)
   * this is the element's value; for a missing path, the deepest existing ancestor's key.
   */
  locateKey(path: JsonPath): LocatedPos | undefined;
  /** Later occurrences of keys repeated within one object (the last one wins). */
  duplicateKeys: { path: JsonPath; pos: SourcePos }[];
}

/** Finds the item a path segment names; the last occurrence wins for duplicate keys, as in the value. */
export function findItem(node: ContainerNode, seg: string | number): Item | undefined {
  if (node.type === 'array') {
    const index = typeof seg === 'number' ? seg : /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : -1;
    return index >= 0 ? node.items[index] : undefined;
  }
  const key = String(seg);
  for (let i = node.items.length - 1; i >= 0; i--) {
    if (node.items[i]!.key === key) return node.items[i];
  }
  return undefined;
}

function walk(root: Node, path: JsonPath): { item: Item | undefined; node: Node; exact: boolean } {
  let node = root;
  let item: Item | undefined;
  for (const seg of path) {
    const next = node.type === 'scalar' ? undefined : findItem(node, seg);
    if (!next) return { item, node, exact: false };
    item = next;
    node = next.value;
  }
  return { item, node, exact: true };
}

function at(lines: LineMap, offset: number, exact: boolean): LocatedPos {
  return { ...lines.pos(offset), exact };
}

/** Parses JSON5 text; throws Json5SyntaxError with line and column on invalid input. */
export function parseJson5(text: string): Json5Document {
  const { value, duplicates, lines } = parseValue(text);
  // Positions are rarely asked for (only when reporting a problem), so the span tree is built
  // on first use rather than paid for on every load.
  let root: Node | undefined;
  const find = (path: JsonPath) => walk((root ??= parseTree(text).root), path);
  return {
    value,
    locate(path) {
      const found = find(path);
      return at(lines, found.node.start, found.exact);
    },
    locateKey(path) {
      const found = find(path);
      return at(lines, found.item ? found.item.start : found.node.start, found.exact);
    },
    duplicateKeys: duplicates.map((d) => ({ path: d.path, pos: lines.pos(d.offset) })),
  };
}
