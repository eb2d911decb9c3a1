// The binding editor's unsaved draft and the route tester's message. A store (not component
// state) so both survive a trip to another view: creating the agent a binding needs must not
// throw the draft away. The draft remembers the config hash and list it started from, so a change
// made elsewhere is noticed and offered to the user instead of being overwritten or dropped.
import { create } from 'zustand';
import type { ConfigSnapshot } from '../../store/config.ts';
import { EMPTY_TESTER, sameBindings, type DraftRow, type RawBinding, type TesterInput } from './draft.ts';

export interface BindingDraft {
  /** Hash of the config the draft started from: `bindings.set` sends it as `baseHash`. */
  baseHash: string;
  baseRows: DraftRow[];
  rows: DraftRow[];
}

interface BindingEditorStore {
  draft: BindingDraft | undefined;
  tester: TesterInput;
  /** Applies an edit to the draft (started from `base` when there is none); a draft equal to its base is dropped. */
  edit(base: { hash: string; rows: DraftRow[] }, change: (rows: DraftRow[]) => DraftRow[]): void;
  discard(): void;
  /** Keeps the draft's rows but bases them on a newer config (the user chose to keep their changes). */
  rebase(base: { hash: string; rows: DraftRow[] }): void;
  setTester(patch: Partial<TesterInput>): void;
}

export const useBindingEditor = create<BindingEditorStore>()((set, get) => ({
  draft: undefined,
  tester: EMPTY_TESTER,
  edit(base, change) {
    const current = get().draft ?? { baseHash: base.hash, baseRows: base.rows, rows: base.rows };
    const rows = change(current.rows);
    set({ draft: sameBindings(rows, current.baseRows) && current.baseHash === base.hash ? undefined : { ...current, rows } });
  },
  discard() {
    set({ draft: undefined });
  },
  rebase(base) {
    const draft = get().draft;
    if (!draft) return;
    set({ draft: sameBindings(draft.rows, base.rows) ? undefined : { baseHash: base.hash, baseRows: base.rows, rows: draft.rows } });
  },
  setTester(patch) {
    set((s) => ({ tester: { ...s.tester, ...patch } }));
  },
}));

const rowsCache = new WeakMap<ConfigSnapshot, DraftRow[]>();

/** The snapshot's explicit bindings as rows, with keys stable for that snapshot. */
export function snapshotRows(snapshot: ConfigSnapshot): DraftRow[] {
  let rows = rowsCache.get(snapshot);
  if (!rows) {
    const list = Array.isArray(snapshot.raw?.bindings) ? (snapshot.raw.bindings as RawBinding[]) : [];
    rows = list.map((binding, i) => ({ key: `${snapshot.hash.slice(0, 12)}:${i}`, binding: structuredClone(binding) }));
    rowsCache.set(snapshot, rows);
  }
  return rows;
}

let nextKey = 1;
export const newRowKey = (): string => `new:${nextKey++}`;
