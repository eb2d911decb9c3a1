// The app shell: connection gate, sidebar navigation, the current view, toasts. Below
// SIDEBAR_COLLAPSE_PX the sidebar shows icons only; every item keeps its name for screen readers
// and as a tooltip (docs/dashboard.md, "Window sizes").
import { useEffect, type MouseEvent, type ReactNode } from 'react';
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
import { UsageView } from '../views/usage/UsageView.tsx';
import { ConnectScreen } from './ConnectScreen.tsx';
import { useMediaQuery } from './useMediaQuery.ts';

/** Narrower than this, the sidebar collapses to icons (styles.css has the same number). */
export const SIDEBAR_COLLAPSE_PX = 1000;

const NAV: { view: ViewName; label: string; icon: string }[] = [
  { view: 'overview', label: 'Overview', icon: '◎' },
  { view: 'agents', label: 'Agents', icon: '☺' },
  { view: 'bindings', label: 'Bindings', icon: '⇄' },
  { view: 'inspector', label: 'Chats', icon: '✉' },
  { view: 'channels', label: 'Channels', icon: '⌁' },
  { view: 'usage', label: 'Usage', icon: '▤' },
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
      <a className="skip-link" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <Sidebar />
      <main className="main" id="main" tabIndex={-1}>
        {connection.kind === 'offline' && (
          <div className="offline-banner">
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
    case 'usage':
      return <UsageView />;
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
  const collapsed = useMediaQuery(`(max-width: ${SIDEBAR_COLLAPSE_PX - 1}px)`);
  const state = status?.state ?? 'stopped';
  const gatewayText = connection.kind !== 'open' ? 'Connecting…' : `Gateway ${state}`;
  const tone = connection.kind !== 'open' ? 'warn' : state === 'running' ? 'ok' : state === 'error' ? 'danger' : undefined;
  return (
    <nav className={`sidebar${collapsed ? ' collapsed' : ''}`} aria-label="Main" data-collapsed={collapsed || undefined}>
      <div className="brand" title={collapsed ? 'Switchboard' : undefined}>
        <span className="brand-mark" aria-hidden="true">
          S
        </span>
        <span className="brand-name">Switchboard</span>
      </div>
      {NAV.map((item) => (
        <a
          key={item.view}
          href={`#/${item.view}`}
          className="nav-item"
          title={collapsed ? item.label : undefined}
          aria-current={route.view === item.view ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            navigate(item.view);
          }}
        >
          <span className="nav-icon" aria-hidden="true">
            {item.icon}
          </span>
          <span className="nav-label">{item.label}</span>
          {item.view === 'channels' && pairing > 0 && (
            <span className="badge warn count" title="Pending pairing requests">
              {pairing}
              <span className="sr-only"> pending pairing requests</span>
            </span>
          )}
        </a>
      ))}
      <div className="sidebar-foot small">
        <div className="row" title={collapsed ? gatewayText : undefined}>
          <Dot tone={tone} pulse={state === 'starting' || state === 'stopping' || connection.kind === 'connecting'} />
          <span className="nav-label">{gatewayText}</span>
        </div>
        {status && <span className="muted nav-label">v{status.version}</span>}
      </div>
    </nav>
  );
}

/** Moves focus to the page itself, past the navigation (the fragment holds the route, not an anchor). */
function skipToMain(e: MouseEvent) {
  e.preventDefault();
  document.getElementById('main')?.focus();
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
