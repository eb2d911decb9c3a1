// `switchboard paths`: every folder and file of this install (config, state, logs, workspace,
// control token, desktop prefs) and why the state dir is the one it is. The desktop app resolves
// the same folders with the same function (config/paths.ts `resolveLocations`).
import path from 'node:path';
import { agentPaths, defaultWorkspace, type FolderSource } from '../../config/paths.ts';
import { tokenFilePath } from '../../control/token.ts';
import { PREFS_FILE_NAME } from '../../desktop/prefs.ts';
import type { Command } from '../command.ts';
import { emit, out, type CliContext } from '../io.ts';

const WHY: Record<FolderSource, string> = {
  flag: 'given with --state-dir',
  env: 'given by SWITCHBOARD_STATE_DIR',
  existing: 'an existing install in the home folder is kept',
  platform: "the operating system's folder for application data",
};

/** The default agent's workspace from the config, or where a first agent's would go. */
async function defaultAgentWorkspace(ctx: CliContext): Promise<string> {
  const config = (await ctx.store.load()).check.config;
  const agent = config ? (config.agents.list.find((a) => a.default) ?? config.agents.list[0]) : undefined;
  if (!config || !agent) return defaultWorkspace('main', true, ctx.loc.stateDir);
  return agentPaths(agent, config, ctx.loc, ctx.homeDir).workspace;
}

export const pathsCommand: Command = {
  name: 'paths',
  usage: 'paths',
  summary: 'Where this install keeps its config, state, logs, workspace, control token and desktop prefs, and why there.',
  async run(ctx) {
    const { loc } = ctx;
    const paths = {
      config: loc.configPath,
      state: loc.stateDir,
      logs: loc.logsDir,
      workspace: await defaultAgentWorkspace(ctx),
      controlToken: tokenFilePath(loc.stateDir),
      desktopPrefs: path.join(loc.prefsDir, `${PREFS_FILE_NAME}.json`),
      source: loc.source,
      ...(loc.ignored ? { ignored: loc.ignored } : {}),
    };
    emit(ctx, paths, () => {
      const rows: [string, string][] = [
        ['config', paths.config],
        ['state', `${paths.state}  (${WHY[loc.source]})`],
        ['logs', paths.logs],
        ['workspace', paths.workspace],
        ['control token', paths.controlToken],
        ['desktop prefs', paths.desktopPrefs],
      ];
      for (const [label, value] of rows) out(ctx, `${`${label}:`.padEnd(15)}${value}`);
      if (loc.ignored) out(ctx, `note: ${loc.ignored} also holds a config; it is not used while ${loc.stateDir} exists`);
    });
    return 0;
  },
};
