// UpdateService with a fake updater (an EventEmitter shaped like electron-updater's AppUpdater)
// and manual timers: events become states, checks run at start and periodically only while the
// pref is on, and "restart to update" drains the gateway before the installer runs.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { UpdateService, updateLabel, type UpdaterPort, type UpdateState, type UpdateTimers } from '../../src-main/desktop/updates.ts';

class FakeUpdater extends EventEmitter implements UpdaterPort {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  checks = 0;
  readonly calls: string[];
  /** What the next check does: emit these events in order (as the real one does), then resolve. */
  script: [string, unknown?][] = [['update-not-available', { version: '0.1.0' }]];
  fail: Error | undefined;

  constructor(calls: string[] = []) {
    super();
    this.calls = calls;
  }

  async checkForUpdates(): Promise<unknown> {
    this.checks++;
    this.emit('checking-for-update');
    if (this.fail) {
      this.emit('error', this.fail);
      throw this.fail;
    }
    for (const [event, payload] of this.script) this.emit(event, payload);
    return { updateInfo: {} };
  }

  quitAndInstall(): void {
    this.calls.push('quitAndInstall');
  }
}

/** Timers that fire on demand and record unref(). */
class Clock implements UpdateTimers {
  readonly pending = new Map<object, { fn: () => void; ms: number; repeat: boolean; unrefd: boolean }>();
  setTimeout(fn: () => void, ms: number) {
    return this.add(fn, ms, false);
  }
  setInterval(fn: () => void, ms: number) {
    return this.add(fn, ms, true);
  }
  clearTimeout(t: unknown) {
    this.pending.delete(t as object);
  }
  clearInterval(t: unknown) {
    this.pending.delete(t as object);
  }
  fire(kind: 'first' | 'every'): void {
    for (const [handle, t] of [...this.pending]) {
      if (t.repeat !== (kind === 'every')) continue;
      if (!t.repeat) this.pending.delete(handle);
      t.fn();
    }
  }
  private add(fn: () => void, ms: number, repeat: boolean) {
    const handle = {
      unref: () => {
        this.pending.get(handle)!.unrefd = true;
      },
    };
    this.pending.set(handle, { fn, ms, repeat, unrefd: false });
    return handle;
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function setup(opts: { enabled?: boolean; drain?: () => Promise<void>; calls?: string[] } = {}) {
  const calls = opts.calls ?? [];
  const updater = new FakeUpdater(calls);
  const clock = new Clock();
  let enabled = opts.enabled ?? true;
  const states: UpdateState[] = [];
  const service = new UpdateService({
    updater,
    enabled: () => enabled,
    drain: opts.drain ?? (async () => void calls.push('drained')),
    onChange: (s) => states.push(s),
    timers: clock,
    now: () => 1000,
    firstCheckDelayMs: 5_000,
    everyMs: 3_600_000,
  });
  return { updater, clock, service, states, calls, setEnabled: (on: boolean) => (enabled = on) };
}

describe('UpdateService', () => {
  it('sets the updater to download in the background and install on quit', () => {
    const { updater } = setup();
    expect(updater.autoDownload).toBe(true);
    expect(updater.autoInstallOnAppQuit).toBe(true);
  });

  it('checks shortly after start and then periodically, on unref’d timers', async () => {
    const { updater, clock, service } = setup();
    service.start();
    const timers = [...clock.pending.values()];
    expect(timers.map((t) => [t.ms, t.repeat])).toEqual([
      [5_000, false],
      [3_600_000, true],
    ]);
    expect(timers.every((t) => t.unrefd)).toBe(true);
    expect(updater.checks).toBe(0);
    clock.fire('first');
    await tick();
    expect(updater.checks).toBe(1);
    expect(service.current).toEqual({ phase: 'up-to-date', checkedAt: 1000 });
    clock.fire('every');
    clock.fire('every');
    await tick();
    expect(updater.checks).toBe(3);
    service.stop();
    expect(clock.pending.size).toBe(0);
  });

  it('goes checking → downloading (with progress) → ready from the updater’s events', async () => {
    const { updater, service, states } = setup();
    updater.script = [
      ['update-available', { version: '0.1.1' }],
      ['download-progress', { percent: 41.6 }],
      ['update-downloaded', { version: '0.1.1' }],
    ];
    await service.check();
    expect(states.map((s) => s.phase)).toEqual(['checking', 'downloading', 'downloading', 'ready']);
    expect(states[2]).toEqual({ phase: 'downloading', version: '0.1.1', percent: 42 });
    expect(service.current).toEqual({ phase: 'ready', version: '0.1.1' });
    expect(updateLabel(service.current)).toBe('Update ready — restart to install 0.1.1');
  });

  it('keeps a downloaded update when a later check fails, and stops checking once one is ready', async () => {
    const { updater, service } = setup();
    updater.script = [['update-downloaded', { version: '0.2.0' }]];
    await service.check();
    updater.fail = new Error('net::ERR_INTERNET_DISCONNECTED');
    updater.emit('error', updater.fail);
    await service.check();
    expect(updater.checks).toBe(1);
    expect(service.current).toEqual({ phase: 'ready', version: '0.2.0' });
  });

  it('reports a failed check as an error state with the first line of the message', async () => {
    const { updater, service } = setup();
    updater.fail = new Error('Cannot find latest-linux.yml in the latest release artifacts\nstack…');
    await service.check();
    expect(service.current).toEqual({ phase: 'error', message: 'Cannot find latest-linux.yml in the latest release artifacts', at: 1000 });
  });

  it('never checks while the pref is off, and follows the pref when it changes', async () => {
    const { updater, clock, service, setEnabled } = setup({ enabled: false });
    expect(service.current).toEqual({ phase: 'off', reason: 'disabled' });
    service.start();
    expect(clock.pending.size).toBe(0);
    await service.check();
    expect(updater.checks).toBe(0);

    setEnabled(true);
    service.setEnabled(true);
    expect(service.current.phase).toBe('idle');
    clock.fire('first');
    await tick();
    expect(updater.checks).toBe(1);

    setEnabled(false);
    service.setEnabled(false);
    expect(clock.pending.size).toBe(0);
    expect(service.current).toEqual({ phase: 'off', reason: 'disabled' });
  });

  it('without an updater (unpackaged run) says so and schedules nothing', async () => {
    const clock = new Clock();
    const service = new UpdateService({ updater: null, enabled: () => true, drain: async () => {}, timers: clock });
    service.start();
    expect(clock.pending.size).toBe(0);
    expect(service.current).toEqual({ phase: 'off', reason: 'unsupported' });
    expect(await service.restart()).toBe(false);
  });

  it('restart drains the gateway first and only then runs the installer', async () => {
    const calls: string[] = [];
    let finishDrain!: () => void;
    const { updater, service } = setup({
      calls,
      drain: () =>
        new Promise<void>((resolve) => {
          calls.push('drain started');
          finishDrain = () => {
            calls.push('drained');
            resolve();
          };
        }),
    });
    updater.script = [['update-downloaded', { version: '0.1.1' }]];
    await service.check();
    const restarting = service.restart();
    await tick();
    // A turn is still finishing inside the gateway's grace period: nothing is installed yet.
    expect(calls).toEqual(['drain started']);
    expect(service.current).toEqual({ phase: 'installing', version: '0.1.1' });
    // A second click while draining does not start a second install.
    expect(await service.restart()).toBe(false);
    finishDrain();
    expect(await restarting).toBe(true);
    expect(calls).toEqual(['drain started', 'drained', 'quitAndInstall']);
  });

  it('restart does nothing while no update is ready', async () => {
    const { service, calls } = setup();
    await service.check();
    expect(await service.restart()).toBe(false);
    expect(calls).toEqual([]);
  });
});
