// The app shell at different window widths (src-renderer/app/App.tsx): below 1000 px the sidebar
// shows icons only, and every item keeps its accessible name and gets a tooltip; a skip link comes
// first in the tab order and moves focus to the page.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src-renderer/app/App.tsx';
import { agent, connectFake, status } from './fake-gateway.ts';

/** happy-dom's own API: resizes the window and re-evaluates media queries. */
const setViewport = (size: { width: number; height: number }) =>
  (window as unknown as { happyDOM: { setViewport(s: { width: number; height: number }): void } }).happyDOM.setViewport(size);

afterEach(() => {
  cleanup();
  act(() => setViewport({ width: 1024, height: 768 }));
});

const handlers = {
  status: () => status(),
  'agents.list': () => ({ agents: [agent('main', { default: true })] }),
  'pairing.list': () => ({ pending: [] }),
  'auth.list': () => ({ keychain: { available: true, reason: null }, envKey: true, agents: [] }),
  'usage.summary': () => ({ agents: [] }),
};
const LABELS = ['Overview', 'Agents', 'Bindings', 'Chats', 'Channels', 'Logs', 'Settings'];

async function renderAt(width: number) {
  act(() => setViewport({ width, height: 600 }));
  await connectFake(handlers);
  render(<App onToken={() => {}} />);
  return screen.getByRole('navigation', { name: 'Main' });
}

describe('sidebar', () => {
  it('at 800 px shows icons only: each item still named, with its name as a tooltip', async () => {
    const nav = await renderAt(800);
    expect(nav.classList.contains('collapsed')).toBe(true);
    for (const label of LABELS) expect(within(nav).getByRole('link', { name: label }).getAttribute('title')).toBe(label);
  });

  it('at 1440 px shows the names, without tooltips repeating them', async () => {
    const nav = await renderAt(1440);
    expect(nav.classList.contains('collapsed')).toBe(false);
    for (const label of LABELS) expect(within(nav).getByRole('link', { name: label }).getAttribute('title')).toBeNull();
  });

  it('follows the window: narrowing it collapses the sidebar, widening it opens it again', async () => {
    const nav = await renderAt(1440);
    act(() => setViewport({ width: 900, height: 600 }));
    expect(nav.classList.contains('collapsed')).toBe(true);
    act(() => setViewport({ width: 1200, height: 600 }));
    expect(nav.classList.contains('collapsed')).toBe(false);
  });
});

describe('keyboard basics', () => {
  it('a skip link is the first stop in the tab order and moves focus to the page', async () => {
    await renderAt(1440);
    const first = document.querySelector<HTMLElement>('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])');
    expect(first?.textContent).toBe('Skip to content');
    fireEvent.click(first!);
    expect(document.activeElement).toBe(document.getElementById('main'));
  });
});
