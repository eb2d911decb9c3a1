// Which screen is open, kept in the address fragment (`#/inspector/ops`) so reload, back/forward
// and the tray's "open this agent's chat" all land on the same view.
import { create } from 'zustand';

export type ViewName = 'overview' | 'agents' | 'bindings' | 'inspector' | 'channels' | 'usage' | 'logs' | 'settings';

export interface Route {
  view: ViewName;
  /** Path segments after the view, decoded: `#/inspector/ops/agent%3Aops%3Amain` → ['ops', 'agent:ops:main']. */
  args: string[];
}

const VIEWS: ViewName[] = ['overview', 'agents', 'bindings', 'inspector', 'channels', 'usage', 'logs', 'settings'];

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const view = parts[0] as ViewName | undefined;
  if (!view || !VIEWS.includes(view)) return { view: 'overview', args: [] };
  return { view, args: parts.slice(1) };
}

export function routeHash(view: ViewName, ...args: string[]): string {
  return `#/${[view, ...args].map(encodeURIComponent).join('/')}`;
}

interface NavStore {
  route: Route;
  navigate(view: ViewName, ...args: string[]): void;
  sync(): void;
}

export const useNav = create<NavStore>()((set) => ({
  route: parseRoute(typeof window === 'undefined' ? '' : window.location.hash),
  navigate(view, ...args) {
    const hash = routeHash(view, ...args);
    if (window.location.hash !== hash) window.location.hash = hash;
    set({ route: parseRoute(hash) });
  },
  sync() {
    set({ route: parseRoute(window.location.hash) });
  },
}));
