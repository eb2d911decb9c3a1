// The control token in a browser: taken from the `#token=` fragment once, removed from the address
// bar (so it is not bookmarked, shared or left in history), kept in sessionStorage only — it dies
// with the tab — and sent nowhere but the WebSocket auth frame to the page's own origin.
const KEY = 'switchboard.token';
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,1024}$/;

export function takeTokenFromLocation(
  loc: Location = window.location,
  history: History = window.history,
  storage: Storage = window.sessionStorage,
): string | undefined {
  const match = /(?:^#|&)token=([^&]*)/.exec(loc.hash);
  if (match) {
    const rest = loc.hash.replace(/^#token=[^&]*&?/, '#').replace(/&token=[^&]*/, '');
    history.replaceState(history.state, '', `${loc.pathname}${loc.search}${rest === '#' ? '' : rest}`);
    const token = decodeURIComponent(match[1] ?? '');
    if (TOKEN_PATTERN.test(token)) storage.setItem(KEY, token);
  }
  return storage.getItem(KEY) ?? undefined;
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
