// The tray menu as a pure function of state (like Mattermost's trayMenu): status line, what needs
// the user, "Update ready — restart", Start/Stop, the dashboard, the logs, one entry per agent (its
// chat inspector, Pause), pending pairing requests, Start at login, a few settings, Quit. Electron's Menu.buildFromTemplate takes it as is.
import {
  agentLabel,
  attentionItems,
  channelLabel,
  statusLine,
  truncate,
  type TrayAgent,
  type TrayPairing,
  type TrayState,
} from './tray-state.ts';

/** The subset of Electron's MenuItemConstructorOptions the tray uses. */
export interface MenuItemTemplate {
  id?: string;
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
  enabled?: boolean;
  checked?: boolean;
  accelerator?: string;
  toolTip?: string;
  click?: () => void;
  submenu?: MenuItemTemplate[];
}

export type Theme = 'system' | 'light' | 'dark';

export interface TrayMenuPrefs {
  startAtLogin: boolean;
  /** False where the OS offers no login item for this build (e.g. an unpackaged dev run). */
  startAtLoginSupported: boolean;
  startGatewayOnLaunch: boolean;
  remoteAccess: { enabled: boolean; port: number };
  theme: Theme;
  /** The "check for updates automatically" pref. */
  autoUpdate: boolean;
  /** App state shown beside the prefs: the update, when one is downloading or ready (see updates.ts). */
  update?: { label: string; ready: boolean } | null;
}

export interface TrayActions {
  startGateway(): void;
  stopGateway(): void;
  openDashboard(): void;
  openAgent(agentId: string): void;
  /** agents.pause / agents.resume. */
  setAgentPaused(agentId: string, paused: boolean): void;
  openLogs(): void;
  /** Drains the gateway, then installs the downloaded update (updates.ts). */
  restartToUpdate(): void;
  setAutoUpdate(on: boolean): void;
  approvePairing(request: TrayPairing): void;
  openPairing(): void;
  setStartAtLogin(on: boolean): void;
  setStartGatewayOnLaunch(on: boolean): void;
  setRemoteAccess(on: boolean): void;
  setTheme(theme: Theme): void;
  quit(): void;
}

/** Agents listed directly in the menu; the rest go into a submenu so the menu fits on screen. */
export const INLINE_AGENTS = 10;
const MAX_ATTENTION_LINES = 3;
const LABEL_MAX = 90;

export function trayMenuTemplate(
  state: TrayState,
  prefs: TrayMenuPrefs,
  actions: TrayActions,
  platform: NodeJS.Platform,
): MenuItemTemplate[] {
  const items: MenuItemTemplate[] = [{ id: 'status', label: truncate(statusLine(state), LABEL_MAX), enabled: false }];
  const attention = attentionItems(state);
  for (const line of attention.slice(0, MAX_ATTENTION_LINES))
    items.push({ label: truncate(`⚠ ${line}`, LABEL_MAX), enabled: false, toolTip: line });
  if (attention.length > MAX_ATTENTION_LINES)
    items.push({ label: `…and ${attention.length - MAX_ATTENTION_LINES} more in the dashboard`, enabled: false });
  if (prefs.update)
    items.push(
      prefs.update.ready
        ? {
            id: 'update',
            label: truncate(prefs.update.label, LABEL_MAX),
            toolTip: 'Running replies finish first; then Switchboard restarts into the new version',
            click: actions.restartToUpdate,
          }
        : { id: 'update', label: truncate(prefs.update.label, LABEL_MAX), enabled: false },
    );
  items.push(
    { type: 'separator' },
    gatewayToggle(state, actions),
    { id: 'open-dashboard', label: 'Open dashboard', click: actions.openDashboard },
    { id: 'open-logs', label: 'Open logs', click: actions.openLogs },
  );

  if (state.agents.length > 0) {
    items.push({ type: 'separator' }, { label: 'Agents', enabled: false });
    const entries = state.agents.map((a) => agentItem(a, actions));
    items.push(...entries.slice(0, INLINE_AGENTS));
    if (entries.length > INLINE_AGENTS)
      items.push({ id: 'more-agents', label: `More agents (${entries.length - INLINE_AGENTS})`, submenu: entries.slice(INLINE_AGENTS) });
  }

  if (state.pairing.length > 0) {
    items.push({ type: 'separator' }, { label: 'Pairing requests', enabled: false });
    for (const p of state.pairing) items.push(pairingItem(p, actions));
  }

  items.push(
    { type: 'separator' },
    {
      id: 'start-at-login',
      label: 'Start at login',
      type: 'checkbox',
      checked: prefs.startAtLogin,
      enabled: prefs.startAtLoginSupported,
      click: () => actions.setStartAtLogin(!prefs.startAtLogin),
    },
    {
      id: 'settings',
      label: 'Settings',
      submenu: [
        {
          id: 'start-gateway-on-launch',
          label: 'Start the gateway when Switchboard opens',
          type: 'checkbox',
          checked: prefs.startGatewayOnLaunch,
          click: () => actions.setStartGatewayOnLaunch(!prefs.startGatewayOnLaunch),
        },
        {
          id: 'remote-access',
          label: `Remote access: WebSocket on 127.0.0.1:${prefs.remoteAccess.port}`,
          type: 'checkbox',
          checked: prefs.remoteAccess.enabled,
          toolTip: 'Lets a browser on this machine open the dashboard; loopback only, token required',
          click: () => actions.setRemoteAccess(!prefs.remoteAccess.enabled),
        },
        {
          id: 'auto-update',
          label: 'Check for updates automatically',
          type: 'checkbox',
          checked: prefs.autoUpdate,
          click: () => actions.setAutoUpdate(!prefs.autoUpdate),
        },
        {
          id: 'theme',
          label: 'Appearance',
          submenu: (['system', 'light', 'dark'] as const).map((theme) => ({
            id: `theme-${theme}`,
            label: theme === 'system' ? 'Match system' : theme === 'light' ? 'Light' : 'Dark',
            type: 'radio' as const,
            checked: prefs.theme === theme,
            click: () => actions.setTheme(theme),
          })),
        },
      ],
    },
    { type: 'separator' },
    { id: 'quit', label: 'Quit Switchboard', click: actions.quit, ...(platform === 'darwin' ? { accelerator: 'Command+Q' } : {}) },
  );
  return items;
}

function gatewayToggle(state: TrayState, actions: TrayActions): MenuItemTemplate {
  switch (state.gateway) {
    case 'running':
      return { id: 'gateway-toggle', label: 'Stop gateway', click: actions.stopGateway };
    case 'starting':
    case 'stopping':
      return { id: 'gateway-toggle', label: state.gateway === 'starting' ? 'Stop gateway' : 'Start gateway', enabled: false };
    default:
      return { id: 'gateway-toggle', label: 'Start gateway', click: actions.startGateway };
  }
}

const AGENT_STATE_SUFFIX: Record<TrayAgent['state'], string> = {
  idle: '',
  thinking: ' — thinking…',
  paused: ' — paused',
  error: ' — error',
  unavailable: ' — unavailable',
};

/** An agent with its state; its submenu opens the chat inspector or pauses it (a paused agent records messages but runs no turns). */
function agentItem(agent: TrayAgent, actions: TrayActions): MenuItemTemplate {
  const paused = agent.state === 'paused';
  return {
    id: `agent:${agent.id}`,
    label: truncate(`${agentLabel(agent)}${AGENT_STATE_SUFFIX[agent.state]}`, LABEL_MAX),
    submenu: [
      { id: `agent-open:${agent.id}`, label: 'Open chat inspector', click: () => actions.openAgent(agent.id) },
      {
        id: `agent-pause:${agent.id}`,
        label: 'Paused',
        type: 'checkbox',
        checked: paused,
        // An unavailable agent cannot run turns anyway; pausing it would hide why.
        enabled: agent.state !== 'unavailable',
        toolTip: paused ? 'Resume: answer new messages again' : 'Pause: keep recording messages but run no turns',
        click: () => actions.setAgentPaused(agent.id, !paused),
      },
    ],
  };
}

function pairingItem(p: TrayPairing, actions: TrayActions): MenuItemTemplate {
  const who = p.senderName ? `${p.senderName} (${p.senderId})` : p.senderId;
  return {
    id: `pairing:${p.channel}:${p.account}:${p.code}`,
    label: truncate(`${channelLabel({ channel: p.channel, accountId: p.account })} — ${who}`, LABEL_MAX),
    submenu: [
      { label: `Code ${p.code}`, enabled: false },
      { id: 'approve', label: `Approve ${p.senderName ?? p.senderId}`, click: () => actions.approvePairing(p) },
      { id: 'show', label: 'Show in dashboard', click: actions.openPairing },
    ],
  };
}
