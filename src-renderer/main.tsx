// Entry point: picks the transport (the preload bridge in the desktop app, a WebSocket to this
// page's own origin in a browser), then renders the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { GatewayClient } from './gateway/client.ts';
import { desktopBridge, IpcTransport } from './gateway/ipc-transport.ts';
import { takeTokenFromLocation } from './gateway/token.ts';
import { WsTransport } from './gateway/ws-transport.ts';
import { useGateway } from './store/gateway.ts';
import { useNav } from './store/nav.ts';
import { applyTheme, useTheme, watchSystemTheme } from './store/theme.ts';
import './styles.css';

applyTheme(useTheme.getState().theme);
watchSystemTheme();

export function connect(token: string | undefined): void {
  const previous = useGateway.getState().client;
  previous?.close();
  const bridge = desktopBridge();
  if (bridge) {
    useGateway.getState().attach(new GatewayClient(new IpcTransport(bridge)));
  } else if (token) {
    useGateway.getState().attach(new GatewayClient(new WsTransport({ token })));
  } else {
    useGateway.setState({ client: undefined, connection: { kind: 'need-token' } });
  }
}

connect(desktopBridge() ? undefined : takeTokenFromLocation());
// The route was read when the nav store loaded, before the token left the fragment: read it again.
useNav.getState().sync();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App onToken={connect} />
  </StrictMode>,
);
