// A `#token=` link opened in a tab that is already open (src-renderer/gateway/token.ts, app/App.tsx):
// the page reconnects with the new token without a reload, removes it from the address bar as the
// first load does, and the router sees the view that came with it.
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src-renderer/app/App.tsx';
import { forgetToken, watchTokenLinks } from '../../src-renderer/gateway/token.ts';
import { useGateway } from '../../src-renderer/store/gateway.ts';
import { useNav } from '../../src-renderer/store/nav.ts';

const OLD = 'old-token-0123456789abcdefghijklmn';
const NEW = 'new-token-ABCDEFGHIJKLMNOPQRSTUVWX';

afterEach(() => {
  cleanup();
  forgetToken();
  window.history.replaceState(null, '', '/');
});

function openLink(hash: string) {
  window.history.replaceState(null, '', `/${hash}`);
  act(() => {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  });
}

describe('#token= link in an open tab', () => {
  it('hands the new token over, scrubs it from the address bar and keeps it in sessionStorage', () => {
    window.sessionStorage.setItem('switchboard.token', OLD);
    const got: string[] = [];
    const stop = watchTokenLinks((t) => got.push(t));
    openLink(`#token=${NEW}`);
    stop();
    expect(got).toEqual([NEW]);
    expect(window.location.href).not.toContain(NEW);
    expect(window.location.hash).toBe('');
    expect(window.sessionStorage.getItem('switchboard.token')).toBe(NEW);
  });

  it('a fragment change without a token, or with something that is not a token, reconnects nothing', () => {
    const got: string[] = [];
    const stop = watchTokenLinks((t) => got.push(t));
    openLink('#/logs');
    openLink('#token=<script>');
    stop();
    expect(got).toEqual([]);
    expect(window.location.hash).toBe('');
  });

  it('the app on the connect screen reconnects with the link and opens the view the link names', () => {
    useGateway.setState({ client: undefined, connection: { kind: 'need-token' } });
    const tokens: string[] = [];
    render(<App onToken={(t) => tokens.push(t)} />);
    openLink(`#/bindings&token=${NEW}`);
    expect(tokens).toEqual([NEW]);
    expect(window.location.hash).toBe('#/bindings');
    expect(useNav.getState().route.view).toBe('bindings');
  });
});
