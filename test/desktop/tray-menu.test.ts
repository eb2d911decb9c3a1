// The tray menu, icon, status line and tooltip as pure functions of the gateway's state.
import { describe, expect, it } from 'vitest';
import { trayMenuTemplate, type MenuItemTemplate, type TrayActions, type TrayMenuPrefs } from '../../src-main/desktop/tray-menu.ts';
import {
  applyEvent,
  iconFor,
  INITIAL_TRAY_STATE,
  statusLine,
  tooltipFor,
  withSnapshot,
  type TrayAgent,
  type TrayState,
} from '../../src-main/desktop/tray-state.ts';
import { findItem } from './fakes.ts';

const prefs: TrayMenuPrefs = {
  startAtLogin: false,
  startAtLoginSupported: true,
  startGatewayOnLaunch: true,
  remoteAccess: { enabled: false, port: 47800 },
  theme: 'system',
  autoUpdate: true,
};

function recorder(): { actions: TrayActions; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) =>
      void calls.push([name, ...args]);
  const actions: TrayActions = {
    startGateway: record('startGateway'),
    stopGateway: record('stopGateway'),
    openDashboard: record('openDashboard'),
    openAgent: record('openAgent'),
    setAgentPaused: record('setAgentPaused'),
    openLogs: record('openLogs'),
    restartToUpdate: record('restartToUpdate'),
    setAutoUpdate: record('setAutoUpdate'),
    approvePairing: record('approvePairing'),
    openPairing: record('openPairing'),
    setStartAtLogin: record('setStartAtLogin'),
    setStartGatewayOnLaunch: record('setStartGatewayOnLaunch'),
    setRemoteAccess: record('setRemoteAccess'),
    setTheme: record('setTheme'),
    quit: record('quit'),
  };
  return { actions, calls };
}

const agent = (id: string, extra: Partial<TrayAgent> = {}): TrayAgent => ({
  id,
  name: null,
  emoji: null,
  state: 'idle',
  reason: null,
  ...extra,
});

const running: TrayState = {
  ...INITIAL_TRAY_STATE,
  gateway: 'running',
  agents: [agent('home', { name: 'Home', emoji: '🪙' }), agent('work', { name: 'Work' })],
  channels: [{ channel: 'telegram', accountId: 'default', state: 'connected' }],
};

function menu(state: TrayState, p = prefs, platform: NodeJS.Platform = 'linux') {
  const { actions, calls } = recorder();
  const items = trayMenuTemplate(state, p, actions, platform);
  return { items, calls, get: (id: string) => findItem(items, id), labels: items.map((i) => i.label ?? `(${i.type})`) };
}

describe('tray icon and status line', () => {
  it('a running gateway with nothing to do shows the running icon and a one-line summary', () => {
    expect(iconFor(running)).toBe('running');
    expect(statusLine(running)).toBe('Gateway running · 2 agents · 1/1 channels connected');
  });

  it('a stopped gateway shows the stopped icon', () => {
    expect(iconFor({ ...running, gateway: 'stopped' })).toBe('stopped');
    expect(statusLine({ ...running, gateway: 'stopped' })).toBe('Gateway stopped');
  });

  it('a gateway in error, or one that could not be opened, shows the error icon and says why', () => {
    const failed: TrayState = { ...running, gateway: 'error', reason: 'telegram: bad token' };
    expect(iconFor(failed)).toBe('error');
    expect(statusLine(failed)).toBe('Gateway error: telegram: bad token');
    const closed: TrayState = {
      ...INITIAL_TRAY_STATE,
      gateway: 'closed',
      reason: 'another Switchboard gateway (pid 42) is already running',
    };
    expect(iconFor(closed)).toBe('error');
    expect(statusLine(closed)).toContain('pid 42');
  });

  it('a WhatsApp account waiting for its QR code needs attention', () => {
    const linking: TrayState = {
      ...running,
      channels: [...running.channels, { channel: 'whatsapp', accountId: 'personal', state: 'linking' }],
    };
    expect(iconFor(linking)).toBe('attention');
    expect(tooltipFor(linking)).toBe('Switchboard — WhatsApp "personal" is waiting for its QR code to be scanned');
  });

  it('pending pairing requests, unavailable agents, stopped-and-logged-out accounts and rejected config edits need attention', () => {
    const pairing: TrayState = {
      ...running,
      pairing: [{ channel: 'telegram', account: 'default', code: 'ABCD2345', senderId: '42', expiresAt: 0 }],
    };
    expect(iconFor(pairing)).toBe('attention');
    expect(
      iconFor({ ...running, agents: [agent('home', { state: 'unavailable', reason: 'sandbox mode "docker" cannot be provided' })] }),
    ).toBe('attention');
    expect(
      iconFor({
        ...running,
        channels: [
          { channel: 'whatsapp', accountId: 'biz', state: 'stopped', reason: 'logged out — re-link with switchboard channels login' },
        ],
      }),
    ).toBe('attention');
    expect(iconFor({ ...running, configErrors: ['3:5 unknown key "agnets"'] })).toBe('attention');
  });

  it('an account the user stopped on purpose does not need attention', () => {
    expect(
      iconFor({ ...running, channels: [{ channel: 'telegram', accountId: 'alerts', state: 'stopped', reason: 'disabled in the config' }] }),
    ).toBe('running');
  });

  it('tooltips stay within the 127 characters Windows shows', () => {
    const long: TrayState = {
      ...running,
      channels: [{ channel: 'discord', accountId: 'default', state: 'error', reason: 'x'.repeat(400) }],
    };
    expect(tooltipFor(long).length).toBeLessThanOrEqual(127);
  });
});

describe('tray menu template', () => {
  it('running: status, Stop gateway, Open dashboard, one entry per agent, Start at login, Settings, Quit', () => {
    const m = menu(running);
    expect(m.labels).toEqual([
      'Gateway running · 2 agents · 1/1 channels connected',
      '(separator)',
      'Stop gateway',
      'Open dashboard',
      'Open logs',
      '(separator)',
      'Agents',
      '🪙 Home',
      'Work',
      '(separator)',
      'Start at login',
      'Settings',
      '(separator)',
      'Quit Switchboard',
    ]);
    expect(m.items[0]!.enabled).toBe(false);
    m.get('gateway-toggle')!.click!();
    m.get('open-dashboard')!.click!();
    m.get('agent-open:work')!.click!();
    m.get('open-logs')!.click!();
    m.get('quit')!.click!();
    expect(m.calls).toEqual([['stopGateway'], ['openDashboard'], ['openAgent', 'work'], ['openLogs'], ['quit']]);
  });

  it('each agent has a Pause toggle that follows its state', () => {
    const m = menu({ ...running, agents: [agent('home'), agent('work', { state: 'paused' }), agent('x', { state: 'unavailable' })] });
    expect(m.get('agent:work')!.submenu!.map((i) => i.label)).toEqual(['Open chat inspector', 'Paused']);
    expect(m.get('agent-pause:home')!.checked).toBe(false);
    expect(m.get('agent-pause:work')!.checked).toBe(true);
    expect(m.get('agent-pause:x')!.enabled).toBe(false);
    m.get('agent-pause:home')!.click!();
    m.get('agent-pause:work')!.click!();
    expect(m.calls).toEqual([
      ['setAgentPaused', 'home', true],
      ['setAgentPaused', 'work', false],
    ]);
  });

  it('an update ready to install is offered right under the status; one downloading is only shown', () => {
    const ready = menu(running, { ...prefs, update: { label: 'Update ready — restart to install 0.1.1', ready: true } });
    expect(ready.labels.slice(0, 3)).toEqual([
      'Gateway running · 2 agents · 1/1 channels connected',
      'Update ready — restart to install 0.1.1',
      '(separator)',
    ]);
    ready.get('update')!.click!();
    expect(ready.calls).toEqual([['restartToUpdate']]);
    const downloading = menu(running, { ...prefs, update: { label: 'Downloading update 0.1.1 (40%)', ready: false } });
    expect(downloading.get('update')!.enabled).toBe(false);
    expect(menu(running).get('update')).toBeUndefined();
  });

  it('Settings has the automatic update checks toggle', () => {
    const m = menu(running, { ...prefs, autoUpdate: false });
    expect(m.get('auto-update')!.checked).toBe(false);
    m.get('auto-update')!.click!();
    expect(m.calls).toEqual([['setAutoUpdate', true]]);
  });

  it('a WhatsApp account that lost its link, or a rejected config edit, turns the icon to attention and says why', () => {
    const relink: TrayState = { ...running, channels: [{ channel: 'whatsapp', accountId: 'phone', state: 'linking' }] };
    expect(iconFor(relink)).toBe('attention');
    expect(menu(relink).labels).toContain('⚠ WhatsApp "phone" is waiting for its QR code to be scanned');
    const failed: TrayState = { ...running, channels: [{ channel: 'whatsapp', accountId: 'phone', state: 'error', reason: 'logged out' }] };
    expect(iconFor(failed)).toBe('attention');
    const rejected = applyEvent(running, 'config.changed', { hash: 'h', ok: false, errors: ['agents[0].model: unknown model'] });
    expect(iconFor(rejected)).toBe('attention');
    expect(menu(rejected).labels).toContain('⚠ Config edit rejected: agents[0].model: unknown model');
    expect(iconFor(applyEvent(rejected, 'config.changed', { hash: 'i', ok: true, errors: [] }))).toBe('running');
  });

  it('stopped: the toggle starts the gateway', () => {
    const m = menu({ ...running, gateway: 'stopped' });
    expect(m.get('gateway-toggle')!.label).toBe('Start gateway');
    m.get('gateway-toggle')!.click!();
    expect(m.calls).toEqual([['startGateway']]);
  });

  it('error and closed: Start gateway stays available (it retries)', () => {
    for (const state of [
      { ...running, gateway: 'error' as const, reason: 'boom' },
      { ...INITIAL_TRAY_STATE, gateway: 'closed' as const, reason: 'locked' },
    ]) {
      const m = menu(state);
      expect(m.get('gateway-toggle')).toMatchObject({ label: 'Start gateway' });
      expect(m.get('gateway-toggle')!.enabled).not.toBe(false);
      expect(m.items[0]!.label).toMatch(/^Gateway (error|not running)/);
    }
  });

  it('while starting or stopping the toggle is disabled', () => {
    expect(menu({ ...running, gateway: 'starting' }).get('gateway-toggle')).toMatchObject({ label: 'Stop gateway', enabled: false });
    expect(menu({ ...running, gateway: 'stopping' }).get('gateway-toggle')).toMatchObject({ label: 'Start gateway', enabled: false });
  });

  it('needs attention: the reasons are listed under the status line', () => {
    const m = menu({ ...running, channels: [{ channel: 'whatsapp', accountId: 'personal', state: 'linking' }] });
    expect(m.labels[1]).toBe('⚠ WhatsApp "personal" is waiting for its QR code to be scanned');
    expect(m.items[1]!.enabled).toBe(false);
  });

  it('pending pairing requests each get an entry whose submenu approves that request', () => {
    const request = { channel: 'telegram', account: 'default', code: 'ABCD2345', senderId: '42', senderName: 'Ada', expiresAt: 0 };
    const m = menu({ ...running, pairing: [request] });
    expect(m.labels).toContain('Pairing requests');
    const entry = m.get('pairing:telegram:default:ABCD2345')!;
    expect(entry.label).toBe('Telegram "default" — Ada (42)');
    expect(entry.submenu!.map((i) => i.label)).toEqual(['Code ABCD2345', 'Approve Ada', 'Show in dashboard']);
    findItem(entry.submenu!, 'approve')!.click!();
    findItem(entry.submenu!, 'show')!.click!();
    expect(m.calls).toEqual([['approvePairing', request], ['openPairing']]);
  });

  it('agents show their state and the menu stays short with many agents', () => {
    const agents = Array.from({ length: 13 }, (_, i) =>
      agent(`a${i}`, i === 0 ? { state: 'thinking' } : i === 1 ? { state: 'paused' } : {}),
    );
    const m = menu({ ...running, agents });
    expect(m.get('agent:a0')!.label).toBe('a0 — thinking…');
    expect(m.get('agent:a1')!.label).toBe('a1 — paused');
    const more = m.get('more-agents')!;
    expect(more.label).toBe('More agents (3)');
    expect(more.submenu!.map((i) => i.id)).toEqual(['agent:a10', 'agent:a11', 'agent:a12']);
  });

  it('Start at login and the settings are checkboxes reflecting the prefs, and clicking toggles them', () => {
    const m = menu(running, { ...prefs, startAtLogin: true, remoteAccess: { enabled: false, port: 47900 }, theme: 'dark' });
    expect(m.get('start-at-login')).toMatchObject({ type: 'checkbox', checked: true, enabled: true });
    expect(m.get('start-gateway-on-launch')).toMatchObject({ type: 'checkbox', checked: true });
    expect(m.get('remote-access')).toMatchObject({
      type: 'checkbox',
      checked: false,
      label: 'Remote access: WebSocket on 127.0.0.1:47900',
    });
    expect(m.get('theme-dark')).toMatchObject({ type: 'radio', checked: true });
    m.get('start-at-login')!.click!();
    m.get('remote-access')!.click!();
    m.get('theme-light')!.click!();
    expect(m.calls).toEqual([
      ['setStartAtLogin', false],
      ['setRemoteAccess', true],
      ['setTheme', 'light'],
    ]);
  });

  it('Start at login is greyed out where the OS cannot register this build', () => {
    expect(menu(running, { ...prefs, startAtLoginSupported: false }).get('start-at-login')!.enabled).toBe(false);
  });

  it('on macOS Quit has the Command+Q accelerator', () => {
    expect(menu(running, prefs, 'darwin').get('quit')!.accelerator).toBe('Command+Q');
    expect(menu(running, prefs, 'win32').get('quit')!.accelerator).toBeUndefined();
  });

  it('every clickable item is enabled and every label is short enough for a menu', () => {
    const walk = (items: MenuItemTemplate[]): MenuItemTemplate[] => items.flatMap((i) => [i, ...walk(i.submenu ?? [])]);
    const longAgent = agent('x', { name: 'n'.repeat(300) });
    for (const item of walk(menu({ ...running, agents: [longAgent] }).items)) {
      expect((item.label ?? '').length).toBeLessThanOrEqual(90);
    }
  });
});

describe('tray state from control-plane events', () => {
  it('gateway.state sets the phase and its reason', () => {
    const s = applyEvent(running, 'gateway.state', { state: 'error', reason: 'disk full' });
    expect(s).toMatchObject({ gateway: 'error', reason: 'disk full' });
    expect(applyEvent(s, 'gateway.state', { state: 'running' }).reason).toBeUndefined();
  });

  it('channel.state adds or replaces one account', () => {
    let s = applyEvent(running, 'channel.state', { channel: 'whatsapp', accountId: 'biz', state: 'linking' });
    s = applyEvent(s, 'channel.state', { channel: 'telegram', accountId: 'default', state: 'error', reason: 'token rejected' });
    expect(s.channels).toEqual([
      { channel: 'telegram', accountId: 'default', state: 'error', reason: 'token rejected' },
      { channel: 'whatsapp', accountId: 'biz', state: 'linking' },
    ]);
  });

  it('agent.state updates a known agent and ignores unknown ones', () => {
    const s = applyEvent(running, 'agent.state', { agentId: 'home', state: 'thinking' });
    expect(s.agents[0]!.state).toBe('thinking');
    expect(applyEvent(running, 'agent.state', { agentId: 'ghost', state: 'idle' })).toBe(running);
  });

  it('a rejected config edit is shown until a good one arrives', () => {
    const bad = applyEvent(running, 'config.changed', { hash: 'h', ok: false, errors: ['1:1 bad'] });
    expect(bad.configErrors).toEqual(['1:1 bad']);
    expect(applyEvent(bad, 'config.changed', { hash: 'h2', ok: true, errors: [] }).configErrors).toEqual([]);
  });

  it('unrelated events leave the state object unchanged', () => {
    expect(applyEvent(running, 'agent.delta', { text: 'hi' })).toBe(running);
  });

  it('a snapshot from status, agents.list and pairing.list replaces those parts', () => {
    const s = withSnapshot(
      { ...INITIAL_TRAY_STATE, gateway: 'closed', reason: 'x' },
      {
        status: { state: 'running', channels: [{ channel: 'discord', accountId: 'default', state: 'connected' }], configErrors: [] },
        agents: { agents: [agent('main')] },
        pairing: { pending: [] },
      },
    );
    expect(s).toEqual({
      gateway: 'running',
      channels: [{ channel: 'discord', accountId: 'default', state: 'connected' }],
      agents: [agent('main')],
      pairing: [],
      configErrors: [],
    });
  });
});
