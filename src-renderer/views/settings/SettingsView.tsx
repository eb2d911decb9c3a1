// Settings: the theme, where the gateway keeps its state and config, whether the OS keychain
// answers (and what to do when it does not), and each agent's Anthropic API keys.
import { useState } from 'react';
import { PROTOCOL_VERSION } from '../../../src-shared/protocol/methods.ts';
import { errorText } from '../../gateway/client.ts';
import { desktopBridge } from '../../gateway/ipc-transport.ts';
import { useGateway, type Status } from '../../store/gateway.ts';
import { useTheme, type ThemeChoice } from '../../store/theme.ts';
import { Badge, Banner, Button, CopyButton, Dot, PageHeader, Segmented } from '../../ui/controls.tsx';
import { relativeTime } from '../../ui/format.ts';
import { ApiKeys } from './ApiKeys.tsx';
import { DesktopPrefs } from './DesktopPrefs.tsx';
import { Updates } from './Updates.tsx';
import { humanizeIssue, parsePath } from '../../ui/issue-words.ts';
import { IssueText } from '../../ui/IssueText.tsx';
import { platformHint } from '../../ui/keychain-help.tsx';
import './settings.css';

export function SettingsView() {
  const status = useGateway((s) => s.status);
  const loadError = useGateway((s) => s.loadError);
  return (
    <div className="page settings-page">
      <PageHeader title="Settings" subtitle="How the dashboard looks, where the gateway keeps its files, and the keys your agents use." />
      {loadError && (
        <Banner tone="danger" title="Could not load the gateway's state:">
          {loadError}
        </Banner>
      )}
      <Appearance />
      {desktopBridge() && <DesktopPrefs />}
      <Updates />
      <GatewayInfo status={status} />
      <Keychain status={status} />
      <ApiKeys />
    </div>
  );
}

const THEMES: { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

function Appearance() {
  const theme = useTheme((s) => s.theme);
  const setLocalTheme = useTheme((s) => s.setTheme);
  const client = useGateway((s) => s.client);
  // Inside the desktop app the window's native theme follows too (and the tray menu shows it).
  const setTheme = (next: ThemeChoice) => {
    setLocalTheme(next);
    if (desktopBridge() && client) void client.request('desktop.prefs.set', { theme: next }).catch(() => undefined);
  };
  return (
    <section className="card" aria-labelledby="appearance-title">
      <div className="card-header">
        <h2 id="appearance-title" className="settings-title">
          Appearance
        </h2>
      </div>
      <div className="settings-rows">
        <div className="settings-row">
          <div className="settings-label">
            <span className="field-label">Theme</span>
            <span className="small muted">
              {theme === 'system' ? 'Follows your operating system, and switches when it does.' : `Always ${theme}.`} Remembered in this
              browser.
            </span>
          </div>
          <Segmented label="Theme" value={theme} options={THEMES} onChange={setTheme} />
        </div>
      </div>
    </section>
  );
}

function GatewayInfo({ status }: { status: Status | undefined }) {
  const inDesktop = desktopBridge() !== undefined;
  return (
    <section className="card" aria-labelledby="gateway-title">
      <div className="card-header">
        <h2 id="gateway-title" className="settings-title grow">
          Gateway
        </h2>
        {status && <Badge tone={status.state === 'running' ? 'ok' : status.state === 'error' ? 'danger' : 'warn'}>{status.state}</Badge>}
      </div>
      {!status ? (
        <div className="settings-rows" aria-busy="true" aria-label="Loading the gateway's details">
          {[0, 1, 2].map((i) => (
            <div key={i} className="skeleton" style={{ height: 22 }} />
          ))}
        </div>
      ) : (
        <dl className="settings-rows">
          <div className="settings-row">
            <dt className="settings-label">
              <span className="field-label">Version</span>
            </dt>
            <dd>
              <span className="mono">{status.version}</span>
              <span className="small muted"> · control protocol v{PROTOCOL_VERSION}</span>
            </dd>
          </div>
          <div className="settings-row">
            <dt className="settings-label">
              <span className="field-label">Running since</span>
            </dt>
            <dd>
              {status.startedAt ? (
                <>
                  {relativeTime(status.startedAt)} <span className="small muted">({new Date(status.startedAt).toLocaleString()})</span>
                </>
              ) : (
                <span className="muted">not running</span>
              )}
            </dd>
          </div>
          <div className="settings-row">
            <dt className="settings-label">
              <span className="field-label">Connection</span>
            </dt>
            <dd>
              {inDesktop ? 'Inside the desktop app (no network port)' : 'This browser, over a WebSocket on this computer only (127.0.0.1)'}
            </dd>
          </div>
          <div className="settings-row">
            <dt className="settings-label">
              <span className="field-label">State folder</span>
              <span className="small muted">Agents' workspaces, chat histories, pairing and link state.</span>
            </dt>
            <dd className="path-line">
              <code className="path">{status.stateDir}</code>
              <CopyButton text={status.stateDir} label="Copy the state folder path" />
            </dd>
          </div>
          <div className="settings-row">
            <dt className="settings-label">
              <span className="field-label">Config file</span>
              <span className="small muted">Agents, bindings and channels, as JSON5 with your comments.</span>
            </dt>
            <dd className="stack path-stack">
              <div className="path-line">
                <code className="path">{status.configPath}</code>
                <CopyButton text={status.configPath} label="Copy the config file path" />
                <OpenConfigButton />
              </div>
              <p className="small muted">
                The gateway reloads the file when you save it; if the new version has an error it keeps the last good one and shows the
                error here.
              </p>
              {status.configErrors.length > 0 && (
                <Banner tone="warn" title="The file on disk has errors; the gateway runs on the last good version:">
                  <ul className="config-errors">
                    {status.configErrors.map((e, i) => (
                      <li key={i}>
                        <IssueText
                          issue={humanizeIssue({ severity: 'error', code: '', message: e.message, path: parsePath(e.path) }, undefined)}
                        />
                        {e.line !== undefined && (
                          <span className="muted">
                            {' '}
                            (line {e.line}
                            {e.column !== undefined ? `:${e.column}` : ''})
                          </span>
                        )}
                      </li>
                    ))}
                  </ul>
                </Banner>
              )}
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}

function Keychain({ status }: { status: Status | undefined }) {
  const keychain = status?.keychain;
  return (
    <section className="card" aria-labelledby="keychain-title">
      <div className="card-header">
        <h2 id="keychain-title" className="settings-title grow">
          Keychain
        </h2>
        {keychain && <Badge tone={keychain.available ? 'ok' : 'danger'}>{keychain.available ? 'available' : 'unavailable'}</Badge>}
      </div>
      <div className="settings-rows">
        {!keychain ? (
          <div className="skeleton" style={{ height: 22 }} aria-busy="true" aria-label="Loading the keychain status" />
        ) : keychain.available ? (
          <p className="row keychain-line" role="status">
            <Dot tone="ok" />
            API keys, bot tokens and the WhatsApp link-state key are kept in your operating system's keychain. Files on disk hold names
            only.
          </p>
        ) : (
          <div className="stack">
            <Banner tone="danger" title="The keychain is not available:">
              {keychain.reason ?? 'no reason given'}
            </Banner>
            <div className="small keychain-help">
              <p>
                <strong>What to do</strong>
              </p>
              <ul>
                <li>{platformHint()}</li>
                <li>Then restart the gateway; nothing is ever written to disk as plain text instead.</li>
                <li>
                  Meanwhile agents can use <code>ANTHROPIC_API_KEY</code> from the gateway's environment, and bot tokens can come from the
                  environment too: <code>{'{ env: "VAR" }'}</code> in <code>switchboard.json</code>.
                </li>
              </ul>
            </div>
          </div>
        )}
      </div>
    </section>
  );
}

/**
 * Asks the gateway to open its config file in the default editor. The gateway runs on this
 * computer (loopback only), so this works from a browser page too; it only ever opens that file.
 */
function OpenConfigButton() {
  const client = useGateway((s) => s.client);
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const open = async () => {
    if (!client) return;
    setState({ busy: true });
    try {
      await client.request('config.open');
      setState({ busy: false });
    } catch (err) {
      setState({ busy: false, error: errorText(err) });
    }
  };
  return (
    <>
      <Button size="sm" busy={state.busy} onClick={() => void open()}>
        Open in editor
      </Button>
      {state.error && (
        <span className="small open-error" role="alert">
          {state.error}
        </span>
      )}
    </>
  );
}
