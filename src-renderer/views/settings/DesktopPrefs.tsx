// The desktop app's own preferences (start at login, start the gateway when the app opens, remote
// access), shown only inside the app: they live in the app's prefs file and are answered by the
// app over its IPC bridge (`desktop.prefs.*`), never by a gateway over a socket.
import { useEffect, useState } from 'react';
import { errorText, type Params, type Result } from '../../gateway/client.ts';
import { useGateway } from '../../store/gateway.ts';
import { Banner } from '../../ui/controls.tsx';

type DesktopPrefs = Result<'desktop.prefs.get'>;

export function DesktopPrefs() {
  const client = useGateway((s) => s.client);
  const [prefs, setPrefs] = useState<DesktopPrefs>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!client) return;
    client.request('desktop.prefs.get').then(setPrefs, (err: unknown) => setError(errorText(err)));
  }, [client]);
  const change = async (patch: Params<'desktop.prefs.set'>) => {
    if (!client) return;
    setBusy(true);
    try {
      setPrefs(await client.request('desktop.prefs.set', patch));
      setError(undefined);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="desktop-title">
      <div className="card-header">
        <h2 id="desktop-title" className="settings-title">
          Desktop app
        </h2>
      </div>
      <div className="settings-rows">
        {error && (
          <Banner tone="danger" title="Could not change this:">
            {error}
          </Banner>
        )}
        {!prefs ? (
          <div className="skeleton" style={{ height: 22 }} aria-busy="true" aria-label="Loading the app's preferences" />
        ) : (
          <>
            <Toggle
              label="Start Switchboard when you log in"
              checked={prefs.startAtLogin}
              disabled={busy || !prefs.startAtLoginSupported}
              hint={
                prefs.startAtLoginSupported
                  ? 'It starts in the tray, without opening this window.'
                  : 'Only the installed app can start at login.'
              }
              onChange={(on) => void change({ startAtLogin: on })}
            />
            <Toggle
              label="Start the gateway when the app opens"
              checked={prefs.startGatewayOnLaunch}
              disabled={busy}
              hint="Off: agents answer only after you press Start gateway."
              onChange={(on) => void change({ startGatewayOnLaunch: on })}
            />
            <Toggle
              label="Remote access from this computer's browser"
              checked={prefs.remoteAccess.enabled}
              disabled={busy}
              hint={
                prefs.remoteAccess.enabled
                  ? `On: the dashboard and the control plane also answer at http://127.0.0.1:${prefs.remoteAccess.port}/ (this computer only, with the token).`
                  : 'Off: the app opens no network port at all; the CLI still reaches it through a local socket.'
              }
              onChange={(on) => void change({ remoteAccess: on })}
            />
          </>
        )}
      </div>
    </section>
  );
}

function Toggle({
  label,
  hint,
  checked,
  disabled,
  onChange,
}: {
  label: string;
  hint: string;
  checked: boolean;
  disabled: boolean;
  onChange: (on: boolean) => void;
}) {
  return (
    <div className="settings-row">
      <label className="checkbox">
        <input type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
        <span className="stack" style={{ gap: 2 }}>
          <span className="field-label">{label}</span>
          <span className="small muted">{hint}</span>
        </span>
      </label>
    </div>
  );
}
