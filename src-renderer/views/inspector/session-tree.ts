// Sub-agent sessions (sessions_spawn) listed under the session that spawned them: the sessions
// pane keeps its newest-first order for top-level sessions and puts each child, with its depth,
// right after its parent. A child whose parent is not in the list (deleted, filtered out) stays
// at the top level and still says whose sub-agent it was.

export interface TreeRow<R> {
  row: R;
  /** 0 for a top-level session, 1 for a child, 2 for a grandchild… */
  depth: number;
}

interface Nestable {
  key: string;
  sessionKey: string;
  archived: boolean;
  parent?: { sessionKey: string } | undefined;
}

/** `rows` (already in display order) with every child moved under its live parent. */
export function nestSessions<R extends Nestable>(rows: readonly R[]): TreeRow<R>[] {
  const liveKeys = new Set(rows.filter((r) => !r.archived).map((r) => r.sessionKey));
  const children = new Map<string, R[]>();
  const top: R[] = [];
  for (const r of rows) {
    const parent = r.parent?.sessionKey;
    // A parent of itself (a corrupt header) would be lost from the list: keep it at the top.
    if (parent && parent !== r.sessionKey && liveKeys.has(parent)) {
      const list = children.get(parent) ?? [];
      list.push(r);
      children.set(parent, list);
    } else top.push(r);
  }
  const out: TreeRow<R>[] = [];
  const seen = new Set<R>();
  const visit = (r: R, depth: number): void => {
    if (seen.has(r)) return; // a cycle of parents never loops
    seen.add(r);
    out.push({ row: r, depth });
    if (!r.archived) for (const c of children.get(r.sessionKey) ?? []) visit(c, depth + 1);
  };
  for (const r of top) visit(r, 0);
  // Rows caught in a cycle (each other's parent) are still shown.
  for (const r of rows) if (!seen.has(r)) visit(r, 0);
  return out;
}
