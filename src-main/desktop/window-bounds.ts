// Where the dashboard window reopens: the saved bounds when enough of them is still on a screen
// (displays change: a laptop undocked, a monitor unplugged), else a default size that the OS centres.
import type { Bounds } from './prefs.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface DisplayLike {
  workArea: Rect;
}

export const DEFAULT_SIZE = { width: 1180, height: 800 } as const;
export const MIN_SIZE = { width: 720, height: 520 } as const;
/** How much of the window (its title bar end) must be on a display to be reachable with the mouse. */
const MIN_VISIBLE = { width: 120, height: 60 } as const;

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

/** Saved bounds if still reachable (size capped to that display), else the saved size without a position. */
export function restoreBounds(saved: Bounds | null, displays: readonly DisplayLike[]): Partial<Rect> & { width: number; height: number } {
  if (!saved) return { ...DEFAULT_SIZE };
  // The top strip is what the user grabs to move the window: that is the part that must be visible.
  const titleBar: Rect = { x: saved.x, y: saved.y, width: saved.width, height: Math.min(saved.height, 40) };
  const home = displays.find((d) => {
    const o = overlap(titleBar, d.workArea);
    return o.width >= Math.min(MIN_VISIBLE.width, saved.width) && o.height >= Math.min(MIN_VISIBLE.height, titleBar.height) * 0.5;
  });
  if (!home) {
    // Keep the size the user chose (within the first display), let the OS place the window.
    const area = displays[0]?.workArea ?? { width: DEFAULT_SIZE.width, height: DEFAULT_SIZE.height };
    return {
      width: Math.max(MIN_SIZE.width, Math.min(saved.width, area.width)),
      height: Math.max(MIN_SIZE.height, Math.min(saved.height, area.height)),
    };
  }
  return {
    x: saved.x,
    y: saved.y,
    width: Math.max(MIN_SIZE.width, Math.min(saved.width, home.workArea.width)),
    height: Math.max(MIN_SIZE.height, Math.min(saved.height, home.workArea.height)),
  };
}
