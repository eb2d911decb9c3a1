// The app shell: connection gate, sidebar navigation, the current view, toasts.
import { useEffect, type ReactNode } from 'react';
import { watchTokenLinks } from '../gateway/token.ts';
import { useGateway } from '../store/gateway.ts';
import { useNav, type ViewName } from '../store/nav.ts';
import { useToasts } from '../store/toasts.ts';
import { Banner, Button, Dot } from '../ui/controls.tsx';
import { AgentsView } from '../views/agents/AgentsView.tsx';
import { BindingsView } from '../views/bindings/BindingsView.tsx';
import { ChannelsView } from '../views/channels/ChannelsView.tsx';
import { InspectorView } from '../views/inspector/InspectorView.tsx';
import { LogsView } from '../views/logs/LogsView.tsx';
import { OverviewView } from '../views/overview/OverviewView.tsx';
import { SettingsView } from '../views/settings/SettingsView.tsx';
import { ConnectScreen } from './ConnectScreen.tsx';

const NAV: { view: ViewName; label: string; icon: string }[] = [
  { view: 'overview', label: 'Overview', icon: '◎' },
  { view: 'agents', label: 'Agents', icon: '☺' },
  { view: 'bindings', label: 'Bindings', icon: '⇄' },
  { view: 'inspector', label: 'Chats', icon: '✉' },
  { view: 'channels', label: 'Channels', icon: '⌁' },
  { view: 'logs', label: 'Logs', icon: '≡' },
  { view: 'settings', label: 'Settings', icon: '⚙' },
];

export function App({ onToken }: { onToken: (token: string) => void }) {
  const connection = useGateway((s) => s.connection);
  const sync = useNav((s) => s.sync);
  // First: a `#token=` link opened in this tab reconnects with its token (no reload) and leaves the
  // address bar before the router below reads the fragment.
  useEffect(() => watchTokenLinks(onToken), [onToken]);
  useEffect(() => {
    window.addEventListener('hashchange', sync);
    return () => window.removeEventListener('hashchange', sync);
  }, [sync]);
  if (connection.kind === 'need-token' || connection.kind === 'unauthorized') {
    return <ConnectScreen onToken={onToken} problem={connection.kind === 'unauthorized' ? connection.message : undefined} />;
  }
  return (
    <div className="app">
      <Sidebar />
      <main className="main" id="main">
        {connection.kind === 'offline' && (
          <div style={{ padding: '12px 32px 0' }}>
            <Banner tone="warn" title="Not connected.">
              {connection.message}. Changes you make now are not saved.
            </Banner>
          </div>
        )}
        <CurrentView />
      </main>
      <Toasts />
    </div>
  );
}

function CurrentView(): ReactNode {
  const route = useNav((s) => s.route);
  switch (route.view) {
    case 'agents':
      return <AgentsView args={route.args} />;
    case 'bindings':
      return <BindingsView />;
    case 'inspector':
      return <InspectorView args={route.args} />;
    case 'channels':
      return <ChannelsView />;
    case 'logs':
      return <LogsView />;
    case 'settings':
      return <SettingsView />;
    default:
      return <OverviewView />;
  }
}

function Sidebar() {
  const route = useNav((s) => s.route);
  const navigate = useNav((s) => s.navigate);
  const status = useGateway((s) => s.status);
  const pairing = useGateway((s) => s.pairing.length);
  const connection = useGateway((s) => s.connection);
  const state = status?.state ?? 'stopped';
  const tone = connection.kind !== 'open' ? 'warn' : state === 'running' ? 'ok' : state === 'error' ? 'danger' : undefined;
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          S
        </span>
        Switchboard
      </div>
      {NAV.map((item) => (
        <a
          key={item.view}
          href={`#/${item.view}`}
          className="nav-item"
          aria-current={route.view === item.view ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            navigate(item.view);
          }}
        >
          <span className="nav-icon" aria-hidden="true">
            {item.icon}
          </span>
          {item.label}
          {item.view === 'channels' && pairing > 0 && (
            <span className="badge warn count" title="Pending pairing requests">
              {pairing}
            </span>
          )}
        </a>
      ))}
      <div className="sidebar-foot small">
        <div className="row">
          <Dot tone={tone} pulse={state === 'starting' || state === 'stopping' || connection.kind === 'connecting'} />
          <span>{connection.kind !== 'open' ? 'Connecting…' : `Gateway ${state}`}</span>
        </div>
        {status && <span className="muted">v{status.version}</span>}
      </div>
    </nav>
  );
}

function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.tone}`} role={t.tone === 'danger' ? 'alert' : 'status'}>
          <span className="grow">{t.text}</span>
          <Button variant="ghost" size="sm" className="icon" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ✕
          </Button>
        </div>
      ))}
    </div>
  );
}
