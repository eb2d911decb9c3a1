// The browser dashboard's token handling and view routing (src-renderer/gateway/token.ts, store/nav.ts).
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { forgetToken, saveToken, takeTokenFromLocation } from '../../src-renderer/gateway/token.ts';
import { parseRoute, routeHash } from '../../src-renderer/store/nav.ts';
import { Field } from '../../src-renderer/ui/controls.tsx';

const TOKEN = 'abcdefghijklmnopqrstuvwxyz0123456789_-ABCDEFG';

describe('control token in the browser', () => {
  afterEach(() => {
    forgetToken();
    window.history.replaceState(null, '', '/');
  });

  it('takes the token from the fragment once, removes it from the address bar and keeps it in sessionStorage', () => {
    window.history.replaceState(null, '', `/#token=${TOKEN}`);
    expect(takeTokenFromLocation()).toBe(TOKEN);
    expect(window.location.href).not.toContain(TOKEN);
    expect(window.sessionStorage.getItem('switchboard.token')).toBe(TOKEN);
    expect(window.localStorage.getItem('switchboard.token')).toBeNull();
  });

  it('keeps the rest of the fragment (the view) when it removes the token', () => {
    window.history.replaceState(null, '', `/#/inspector/ops&token=${TOKEN}`);
    expect(takeTokenFromLocation()).toBe(TOKEN);
    expect(window.location.hash).toBe('#/inspector/ops');
  });

  it('ignores a fragment token that cannot be a Switchboard token', () => {
    window.history.replaceState(null, '', '/#token=<script>');
    expect(takeTokenFromLocation()).toBeUndefined();
    expect(window.location.hash).toBe('');
  });

  it('refuses to save pasted text that is not a token', () => {
    expect(saveToken('not a token!')).toBe(false);
    expect(saveToken(`  ${TOKEN}\n`)).toBe(true);
    expect(window.sessionStorage.getItem('switchboard.token')).toBe(TOKEN);
  });
});

describe('view routes', () => {
  it('round-trips a view with arguments that need escaping', () => {
    const hash = routeHash('inspector', 'ops', 'agent:ops:telegram:direct:42');
    expect(parseRoute(hash)).toEqual({ view: 'inspector', args: ['ops', 'agent:ops:telegram:direct:42'] });
  });

  it('falls back to the overview for an unknown view', () => {
    expect(parseRoute('#/nonsense/x')).toEqual({ view: 'overview', args: [] });
  });
});

describe('Field', () => {
  it('labels its control and announces the error', () => {
    render(
      <Field label="Agent id" error="already taken">
        {(id, describedBy) => <input id={id} aria-describedby={describedBy} />}
      </Field>,
    );
    const input = screen.getByLabelText('Agent id');
    expect(input.getAttribute('aria-describedby')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('already taken');
  });
});
