// Keyboard movement inside the inspector's lists: one tab stop per list, arrows/Home/End move between rows.
import type { KeyboardEvent } from 'react';

/** Arrow keys, Home and End move focus between the rows of a list (one tab stop per list). */
export function rovingKeys(e: KeyboardEvent<HTMLElement>): void {
  if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
  const rows = [...e.currentTarget.querySelectorAll<HTMLElement>('[data-roving]')];
  if (rows.length === 0) return;
  const at = rows.indexOf(document.activeElement as HTMLElement);
  const next =
    e.key === 'Home'
      ? 0
      : e.key === 'End'
        ? rows.length - 1
        : e.key === 'ArrowDown'
          ? Math.min(rows.length - 1, at + 1)
          : Math.max(0, at - 1);
  e.preventDefault();
  rows[next]?.focus();
}
