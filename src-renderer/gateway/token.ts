// The control token in a browser: taken from the `#token=` fragment once, removed from the address
// bar (so it is not bookmarked, shared or left in history), kept in sessionStorage only — it dies
// with the tab — and sent nowhere but the WebSocket auth frame to the page's own origin.
const KEY = 'switchboard.token';
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,1024}$/;

/**
 * Removes a `#token=` from the address bar (keeping the rest of the fragment, e.g. the view) and
 * stores it when it can be a token. Returns the token taken, if any.
 */
export function scrubTokenFromLocation(
  loc: Location = window.location,
  history: History = window.history,
  storage: Storage = window.sessionStorage,
): string | undefined {
  const match = /(?:^#|&)token=([^&]*)/.exec(loc.hash);
  if (!match) return undefined;
  const rest = loc.hash.replace(/^#token=[^&]*&?/, '#').replace(/&token=[^&]*/, '');
  history.replaceState(history.state, '', `${loc.pathname}${loc.search}${rest === '#' ? '' : rest}`);
  let token: string;
  try {
    token = decodeURIComponent(match[1] ?? '');
  } catch {
    return undefined;
  }
  if (!TOKEN_PATTERN.test(token)) return undefined;
  storage.setItem(KEY, token);
  return token;
}

export function takeTokenFromLocation(
  loc: Location = window.location,
  history: History = window.history,
  storage: Storage = window.sessionStorage,
): string | undefined {
  scrubTokenFromLocation(loc, history, storage);
  return storage.getItem(KEY) ?? undefined;
}

/**
 * A `#token=` link opened in a tab that is already open only changes the fragment (no reload), so
 * the page listens for it: the token is scrubbed as on first load and handed to `onToken`, which
 * reconnects. Registered before the router's own hashchange listener, which then sees the view
 * without the token. Returns the unsubscribe function.
 */
export function watchTokenLinks(onToken: (token: string) => void, win: Window = window): () => void {
  const listener = () => {
    const token = scrubTokenFromLocation(win.location, win.history, win.sessionStorage);
    if (token) onToken(token);
  };
  win.addEventListener('hashchange', listener);
  return () => win.removeEventListener('hashchange', listener);
}

export function saveToken(token: string, storage: Storage = window.sessionStorage): boolean {
  const trimmed = token.trim();
  if (!TOKEN_PATTERN.test(trimmed)) return false;
  storage.setItem(KEY, trimmed);
  return true;
}

export function forgetToken(storage: Storage = window.sessionStorage): void {
  storage.removeItem(KEY);
}
