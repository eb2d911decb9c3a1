// The headless gateway as a per-user service (docs/desktop.md#always-on-server): a systemd user
// unit on Linux, a launchd agent on macOS. Pure text generation from absolute paths; writing the
// file and calling systemctl/launchctl is the CLI's job (cli/commands/gateway-service.ts).
import path from 'node:path';

export const SYSTEMD_UNIT_NAME = 'switchboard-gateway.service';
export const LAUNCHD_LABEL = 'dev.switchboard.gateway';

export interface ServiceSpec {
  /** Absolute path of the node binary that runs the CLI. */
  node: string;
  /** Absolute path of the CLI entry script (bin/switchboard.mjs or dist/cli.mjs). */
  cliEntry: string;
  stateDir: string;
  /** Only when it is not `<stateDir>/switchboard.json`. */
  configPath?: string;
  logsDir: string;
  /** `--port` for the gateway; its default (47800) when absent. */
  port?: number;
  /** PATH at install time: service managers start with a minimal one, and agents' tools need the user's. */
  pathEnv?: string;
}

export type ServicePlatform = 'linux' | 'darwin';

export class ServiceSpecError extends Error {
  readonly code = 'bad_request';
}

function checkPath(what: string, p: string): void {
  if (!path.isAbsolute(p)) throw new ServiceSpecError(`${what} must be an absolute path, not "${p}"`);
  // Neither unit files nor the CLI's argument parsing can carry these.
  if (/[\n\r\0]/.test(p)) throw new ServiceSpecError(`${what} contains a line break or NUL: ${JSON.stringify(p)}`);
}

/** The gateway's command line, in order. */
export function serviceArgv(spec: ServiceSpec): string[] {
  checkPath('the node binary', spec.node);
  checkPath('the CLI script', spec.cliEntry);
  checkPath('the state dir', spec.stateDir);
  checkPath('the logs folder', spec.logsDir);
  if (spec.configPath !== undefined) checkPath('the config file', spec.configPath);
  if (spec.pathEnv !== undefined && /[\n\r\0]/.test(spec.pathEnv)) throw new ServiceSpecError('PATH contains a line break or NUL');
  return [
    spec.node,
    spec.cliEntry,
    'gateway',
    '--state-dir',
    spec.stateDir,
    ...(spec.configPath !== undefined ? ['--config', spec.configPath] : []),
    ...(spec.port !== undefined ? ['--port', String(spec.port)] : []),
  ];
}

/**
 * One word of a systemd command line or assignment: quoted, with `\`, `"` and `%` (specifiers)
 * escaped, and `$` too where systemd expands variables: in ExecStart's arguments, not in the
 * executable's path nor in Environment= (checked with systemd-analyze verify in the tests).
 */
export function systemdWord(word: string, variables = false): string {
  const quoted = word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%');
  return `"${variables ? quoted.replace(/\$/g, '$$$$') : quoted}"`;
}

/** `~/.config/systemd/user/switchboard-gateway.service`. */
export function systemdUnit(spec: ServiceSpec): string {
  const argv = serviceArgv(spec);
  return [
    '# Written by "switchboard gateway install"; "switchboard gateway uninstall" removes it.',
    '[Unit]',
    `Description=Switchboard gateway (${spec.stateDir.replace(/%/g, '%%')})`,
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${argv.map((word, i) => systemdWord(word, i > 0)).join(' ')}`,
    ...(spec.pathEnv ? [`Environment=${systemdWord(`PATH=${spec.pathEnv}`)}`] : []),
    // SIGTERM lets in-flight turns finish (stopGraceMs, 10 s) before the gateway exits.
    'KillSignal=SIGTERM',
    'TimeoutStopSec=30',
    'Restart=on-failure',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

export function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `~/Library/LaunchAgents/dev.switchboard.gateway.plist`. */
export function launchdPlist(spec: ServiceSpec): string {
  const argv = serviceArgv(spec);
  const out = path.posix.join(spec.logsDir, 'gateway.out.log');
  const env = spec.pathEnv
    ? ['  <key>EnvironmentVariables</key>', '  <dict>', '    <key>PATH</key>', `    <string>${xml(spec.pathEnv)}</string>`, '  </dict>']
    : [];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- Written by "switchboard gateway install"; "switchboard gateway uninstall" removes it. -->',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  <string>${LAUNCHD_LABEL}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...argv.map((a) => `    <string>${xml(a)}</string>`),
    '  </array>',
    ...env,
    '  <key>RunAtLoad</key>',
    '  <true/>',
    // Restarted after a crash, not after a clean stop.
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>ExitTimeOut</key>',
    '  <integer>30</integer>',
    '  <key>StandardOutPath</key>',
    `  <string>${xml(out)}</string>`,
    '  <key>StandardErrorPath</key>',
    `  <string>${xml(out)}</string>`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

/** Where the service file goes for a user. */
export function serviceFilePath(platform: ServicePlatform, homeDir: string, env: NodeJS.ProcessEnv): string {
  if (platform === 'darwin') return path.posix.join(homeDir, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
  const configHome =
    env.XDG_CONFIG_HOME && path.posix.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.posix.join(homeDir, '.config');
  return path.posix.join(configHome, 'systemd', 'user', SYSTEMD_UNIT_NAME);
}

export function serviceFileText(platform: ServicePlatform, spec: ServiceSpec): string {
  return platform === 'darwin' ? launchdPlist(spec) : systemdUnit(spec);
}
