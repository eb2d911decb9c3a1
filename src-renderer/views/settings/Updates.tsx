// Settings → Updates: where the desktop app's automatic update stands (checking, downloading with
// its percentage, "Update ready" with Restart to update), a Check now, and the "check for updates
// automatically" pref. Inside the app only (`desktop.update.*`, the `desktop.update` event and
// `desktop.prefs.*`, answered over its IPC bridge); a browser tab says the app handles updates.
import { useEffect, useState } from 'react';
import { errorText, type Result } from '../../gateway/client.ts';
import { desktopBridge } from '../../gateway/ipc-transport.ts';
import { useGateway } from '../../store/gateway.ts';
import { Banner, Button } from '../../ui/controls.tsx';
import { relativeTime } from '../../ui/format.ts';

type UpdateState = Result<'desktop.update.get'>;

export function Updates() {
  return (
    <section className="card" aria-labelledby="updates-title">
      <div className="card-header">
        <h2 id="updates-title" className="settings-title">
          Updates
        </h2>
      </div>
      <div className="settings-rows">
        {desktopBridge() ? (
          <AppUpdates />
        ) : (
          <p className="small muted" style={{ margin: 0 }}>
            Updates are handled by the Switchboard desktop app: it checks for new releases, downloads them in the background and asks before
            it restarts. A gateway you run yourself (<code>switchboard gateway</code>) is updated with the package it was installed from.
          </p>
        )}
      </div>
    </section>
  );
}

function AppUpdates() {
  const client = useGateway((s) => s.client);
  const [state, setState] = useState<UpdateState>();
  const [auto, setAuto] = useState<boolean>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<'check' | 'restart' | 'toggle'>();
  useEffect(() => {
    if (!client) return;
    const off = client.on('desktop.update', (next) => setState(next));
    client.request('desktop.update.get').then(setState, (err: unknown) => setError(errorText(err)));
    client.request('desktop.prefs.get').then(
      (prefs) => setAuto(prefs.autoUpdate),
      (err: unknown) => setError(errorText(err)),
    );
    return off;
  }, [client]);

  const act = async (what: 'check' | 'restart' | 'toggle', run: () => Promise<void>) => {
    setBusy(what);
    try {
      await run();
      setError(undefined);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(undefined);
    }
  };
  const check = () =>
    act('check', async () => {
      if (client) setState(await client.request('desktop.update.check'));
    });
  const restart = () =>
    act('restart', async () => {
      if (!client) return;
      const { restarting } = await client.request('desktop.update.restart');
      if (!restarting) setState(await client.request('desktop.update.get'));
    });
  const toggle = (on: boolean) =>
    act('toggle', async () => {
      if (!client) return;
      setAuto((await client.request('desktop.prefs.set', { autoUpdate: on })).autoUpdate);
      setState(await client.request('desktop.update.get'));
    });

  const canCheck = auto === true && state !== undefined && ['idle', 'up-to-date', 'error'].includes(state.phase);
  return (
    <>
      {error && (
        <Banner tone="danger" title="Could not do this:">
          {error}
        </Banner>
      )}
      {!state ? (
        <div className="skeleton" style={{ height: 22 }} aria-busy="true" aria-label="Loading the update state" />
      ) : (
        <div className="settings-row" style={{ display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' }}>
          <UpdateLine state={state} />
          {state.phase === 'ready' && (
            <Button variant="primary" busy={busy === 'restart'} onClick={() => void restart()}>
              Restart to update
            </Button>
          )}
          {canCheck && (
            <Button size="sm" busy={busy === 'check'} onClick={() => void check()}>
              Check now
            </Button>
          )}
        </div>
      )}
      {state?.phase === 'ready' && (
        <p className="small muted" style={{ margin: 0 }}>
          The gateway stops first: replies being written finish (or are recorded as incomplete after 10 s), then the app installs the update
          and opens again. Quitting installs it too.
        </p>
      )}
      {auto !== undefined && (
        <div className="settings-row">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={auto}
              disabled={busy !== undefined || (state?.phase === 'off' && state.reason === 'unsupported')}
              onChange={(e) => void toggle(e.target.checked)}
            />
            <span className="stack" style={{ gap: 2 }}>
              <span className="field-label">Check for updates automatically</span>
              <span className="small muted">
                {auto
                  ? 'At start and every 4 hours; a new version downloads in the background.'
                  : 'Off: the app makes no update requests at all.'}
              </span>
            </span>
          </label>
        </div>
      )}
    </>
  );
}

/** One sentence for the state, announced as it changes. */
function UpdateLine({ state }: { state: UpdateState }) {
  let text: string;
  switch (state.phase) {
    case 'off':
      text =
        state.reason === 'disabled'
          ? 'Automatic update checks are off.'
          : 'This copy of the app cannot update itself (a development run, or a build without an update feed).';
      break;
    case 'idle':
      text = 'Up to date as far as we know: the first check runs shortly after the app opens.';
      break;
    case 'checking':
      text = 'Checking for updates…';
      break;
    case 'up-to-date':
      text = `Up to date (checked ${relativeTime(new Date(state.checkedAt).toISOString())}).`;
      break;
    case 'downloading':
      text = `Downloading version ${state.version}: ${state.percent}%`;
      break;
    case 'ready':
      text = `Update ready: version ${state.version}.`;
      break;
    case 'installing':
      text = `Installing version ${state.version}: the app restarts once the gateway has stopped.`;
      break;
    case 'error':
      text = `The last update check failed: ${state.message}`;
      break;
  }
  return (
    <span className="stack" style={{ gap: 4, flex: '1 1 240px' }}>
      <span role="status">{text}</span>
      {state.phase === 'downloading' && (
        <progress max={100} value={state.percent} aria-label={`Downloading version ${state.version}`}>
          {state.percent}%
        </progress>
      )}
    </span>
  );
}
