// The IPC bridge: every ipcMain call passes one wrapper that checks the sender frame (top frame,
// app://switchboard, the dashboard's own web contents) and the argument shapes; params are then
// validated by ControlService against the src-shared schemas. Also the preload's side of it.
import { describe, expect, it } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../../src-shared/protocol/bridge.ts';
import { CONTROL_EVENTS, CONTROL_METHODS, type ControlMethods } from '../../src-shared/protocol/methods.ts';
import { ControlService, type CallContext, type Handlers } from '../../src-main/control/service.ts';
import { checkSender, forwardEvent, installControlBridge } from '../../src-main/desktop/ipc-bridge.ts';
import { createBridge } from '../../src-main/desktop/preload-bridge.ts';
import { FakeIpcMain, FakeWebContents, ipcEvent } from './fakes.ts';

const APP = 'app://switchboard/index.html#/overview';

function service() {
  const calls: { method: string; params: unknown; ctx: CallContext }[] = [];
  const handlers = Object.fromEntries(
    Object.keys(CONTROL_METHODS).map((method) => [
      method,
      async () => {
        throw new Error(`${method} not used in this test`);
      },
    ]),
  ) as unknown as Handlers<ControlMethods>;
  handlers['agents.pause'] = async (params, ctx) => {
    calls.push({ method: 'agents.pause', params, ctx });
    return { agentId: params.agentId, paused: true };
  };
  return { calls, service: new ControlService({ methods: CONTROL_METHODS, events: CONTROL_EVENTS, handlers }) };
}

function setup() {
  const ipcMain = new FakeIpcMain();
  const contents = new FakeWebContents();
  contents.url = APP;
  const { calls, service: svc } = service();
  const logged: unknown[] = [];
  const bridge = installControlBridge({ ipcMain, service: () => svc, dashboard: () => contents, log: (...args) => void logged.push(args) });
  bridge.attach(svc);
  const topFrame = { url: APP, parent: null };
  const call = (event = ipcEvent(contents.id, topFrame), ...args: unknown[]) => ipcMain.invoke(IPC_REQUEST_CHANNEL, event, ...args);
  return { ipcMain, contents, calls, svc, bridge, call, topFrame, logged };
}

describe('sender checks', () => {
  it('a call from the dashboard top frame reaches the control service with transport "ipc"', async () => {
    const t = setup();
    await expect(t.call(undefined, 'agents.pause', { agentId: 'home' })).resolves.toEqual({
      ok: true,
      result: { agentId: 'home', paused: true },
    });
    expect(t.calls).toEqual([
      { method: 'agents.pause', params: { agentId: 'home' }, ctx: { transport: 'ipc', clientId: `ipc:${t.contents.id}` } },
    ]);
  });

  it('a subframe (an iframe inside the dashboard) is refused', async () => {
    const t = setup();
    const outcome = await t.call(ipcEvent(t.contents.id, { url: APP, parent: t.topFrame }), 'agents.pause', { agentId: 'home' });
    expect(outcome).toEqual({ ok: false, error: { code: 'unauthorized', message: 'IPC call refused: not the top frame' } });
    expect(t.calls).toEqual([]);
  });

  it('a frame showing another origin is refused, whatever it claims', async () => {
    const t = setup();
    for (const url of [
      'https://evil.example/',
      'file:///etc/passwd',
      'app://switchboard.evil/index.html',
      'app://user:pw@switchboard/',
      'http://127.0.0.1:47800/',
    ]) {
      expect(await t.call(ipcEvent(t.contents.id, { url, parent: null }), 'agents.pause', { agentId: 'home' })).toMatchObject({
        ok: false,
        error: { code: 'unauthorized' },
      });
    }
    expect(t.calls).toEqual([]);
  });

  it('a frame that navigated away or was destroyed (senderFrame null) is refused', async () => {
    const t = setup();
    expect(await t.call(ipcEvent(t.contents.id, null), 'agents.pause', { agentId: 'home' })).toMatchObject({
      ok: false,
      error: { message: 'IPC call refused: the sending frame is gone' },
    });
  });

  it('another web contents showing our origin (not the dashboard window) is refused', async () => {
    const t = setup();
    expect(await t.call(ipcEvent(t.contents.id + 1, t.topFrame), 'agents.pause', { agentId: 'home' })).toMatchObject({
      ok: false,
      error: { message: 'IPC call refused: not the dashboard window' },
    });
  });

  it('refusals are logged with the reason', async () => {
    const t = setup();
    await t.call(ipcEvent(t.contents.id, null), 'agents.pause', {});
    expect(t.logged).toEqual([['warn', 'IPC call refused', { channel: IPC_REQUEST_CHANNEL, reason: 'the sending frame is gone' }]]);
  });

  it('checkSender is a plain function over fake frames', () => {
    expect(checkSender(ipcEvent(1, { url: APP, parent: null }), 1)).toEqual({ ok: true });
    expect(checkSender(ipcEvent(1, { url: APP, parent: null }), undefined)).toEqual({ ok: false, reason: 'not the dashboard window' });
  });
});

describe('argument and schema checks', () => {
  it('a method that is not a short name string is a bad request', async () => {
    const t = setup();
    for (const method of [42, '', 'x'.repeat(129), '__proto__.x', 'agents pause', undefined]) {
      expect(await t.call(undefined, method, {})).toEqual({
        ok: false,
        error: { code: 'bad_request', message: `malformed IPC call on ${IPC_REQUEST_CHANNEL}` },
      });
    }
  });

  it('extra arguments are a bad request', async () => {
    const t = setup();
    expect(await t.call(undefined, 'agents.pause', { agentId: 'home' }, 'extra')).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
  });

  it('params are validated against the method schema from src-shared', async () => {
    const t = setup();
    expect(await t.call(undefined, 'agents.pause', { agentId: '' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringMatching(/^invalid params: agentId/) },
    });
    expect(await t.call(undefined, 'agents.pause', 'home')).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(t.calls).toEqual([]);
  });

  it('an unknown method is not_found; inherited names are not methods', async () => {
    const t = setup();
    expect(await t.call(undefined, 'agents.explode', {})).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await t.call(undefined, 'constructor', {})).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('without an open gateway a call answers unavailable', async () => {
    const ipcMain = new FakeIpcMain();
    const contents = new FakeWebContents();
    contents.url = APP;
    installControlBridge({ ipcMain, service: () => undefined, dashboard: () => contents, log: () => {} });
    expect(await ipcMain.invoke(IPC_REQUEST_CHANNEL, ipcEvent(contents.id, { url: APP, parent: null }), 'status', {})).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });

  it('dispose removes the handler', () => {
    const t = setup();
    t.bridge.dispose();
    expect(t.ipcMain.handlers.size).toBe(0);
  });
});

describe('events to the dashboard', () => {
  it('control events are sent to the dashboard window on the event channel', () => {
    const t = setup();
    t.svc.emit('gateway.state', { state: 'running' });
    expect(t.contents.sent).toEqual([[IPC_EVENT_CHANNEL, 'gateway.state', { state: 'running' }]]);
  });

  it('nothing is sent to a destroyed window or one showing another page', () => {
    const contents = new FakeWebContents();
    contents.url = 'https://elsewhere.example/';
    expect(forwardEvent(contents, 'gateway.state', {})).toBe(false);
    contents.url = APP;
    contents.destroyed = true;
    expect(forwardEvent(contents, 'gateway.state', {})).toBe(false);
    expect(forwardEvent(undefined, 'gateway.state', {})).toBe(false);
    expect(contents.sent).toEqual([]);
  });

  it('attaching a new service ends the previous subscription', () => {
    const t = setup();
    const other = service().service;
    t.bridge.attach(other);
    t.svc.emit('gateway.state', { state: 'running' });
    other.emit('gateway.state', { state: 'stopped' });
    expect(t.contents.sent).toEqual([[IPC_EVENT_CHANNEL, 'gateway.state', { state: 'stopped' }]]);
  });
});

describe('preload bridge (window.switchboard)', () => {
  function fakeRenderer(answer: (channel: string, ...args: unknown[]) => Promise<unknown>) {
    const listeners: ((event: unknown, ...args: unknown[]) => void)[] = [];
    const invoked: unknown[][] = [];
    return {
      invoked,
      listeners,
      ipc: {
        invoke: (channel: string, ...args: unknown[]) => {
          invoked.push([channel, ...args]);
          return answer(channel, ...args);
        },
        on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
          if (channel === IPC_EVENT_CHANNEL) listeners.push(listener);
        },
      },
      push: (event: string, data: unknown) => listeners.forEach((l) => l({ sender: 'ipcRenderer internals' }, event, data)),
    };
  }

  it('request(method, params) invokes the request channel and resolves to the outcome', async () => {
    const r = fakeRenderer(async () => ({ ok: true, result: { n: 1 } }));
    const bridge = createBridge(r.ipc);
    await expect(bridge.request('status', {})).resolves.toEqual({ ok: true, result: { n: 1 } });
    expect(r.invoked).toEqual([[IPC_REQUEST_CHANNEL, 'status', {}]]);
  });

  it('a failed or malformed answer becomes an unavailable outcome, never a rejection', async () => {
    await expect(
      createBridge(fakeRenderer(async () => Promise.reject(new Error('no handler'))).ipc).request('status', {}),
    ).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await expect(createBridge(fakeRenderer(async () => 'weird').ipc).request('status', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });

  it("on(event) delivers only that event's data (never the IPC event object) and unsubscribes", () => {
    const r = fakeRenderer(async () => undefined);
    const bridge = createBridge(r.ipc);
    const got: unknown[] = [];
    const off = bridge.on('gateway.state', (data) => got.push(data));
    r.push('gateway.state', { state: 'running' });
    r.push('agent.delta', { text: 'x' });
    off();
    r.push('gateway.state', { state: 'stopped' });
    expect(got).toEqual([{ state: 'running' }]);
  });

  it('one IPC listener serves every subscription, and a throwing subscriber does not stop the others', () => {
    const r = fakeRenderer(async () => undefined);
    const bridge = createBridge(r.ipc);
    const got: string[] = [];
    for (const event of Object.keys(CONTROL_EVENTS)) bridge.on(event, () => got.push(event));
    bridge.on('gateway.state', () => {
      throw new Error('bad subscriber');
    });
    bridge.on('gateway.state', () => got.push('second'));
    r.push('gateway.state', {});
    expect(r.listeners).toHaveLength(1);
    expect(got).toEqual(['gateway.state', 'second']);
  });

  it('the exposed object is frozen and has only request and on', () => {
    const bridge = createBridge(fakeRenderer(async () => undefined).ipc);
    expect(Object.keys(bridge).sort()).toEqual(['on', 'request']);
    expect(Object.isFrozen(bridge)).toBe(true);
  });
});
