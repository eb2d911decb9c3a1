// `switchboard config validate`, plus the loader the other commands share.
import { formatIssue, type ConfigIssue, type SwitchboardConfig } from '../../../src-shared/config/index.ts';
import { agentsWithoutSandbox } from '../../agents/sandbox/index.ts';
import type { LoadedConfig } from '../../config/store.ts';
import type { Command } from '../command.ts';
import { CliError, emit, out, warn, type CliContext } from '../io.ts';

/** Loads the config and insists it is valid (every error listed), printing its warnings. */
export async function loadValid(ctx: CliContext): Promise<LoadedConfig & { config: SwitchboardConfig }> {
  const loaded = await ctx.store.load();
  if (!loaded.check.ok || !loaded.check.config) {
    const errors = loaded.check.issues.filter((i) => i.severity === 'error');
    const first = errors[0];
    throw new CliError(
      `${loaded.configPath} is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}); fix it or run "switchboard config validate"`,
      'bad_request',
      first ? { ...(first.line !== undefined ? { line: first.line, column: first.column } : {}) } : {},
      1,
      loaded.check.issues,
    );
  }
  warn(ctx, loaded.check.issues);
  return { ...loaded, config: loaded.check.config };
}

function sandboxWarnings(loaded: LoadedConfig): ConfigIssue[] {
  const config = loaded.check.config;
  if (!config) return [];
  return agentsWithoutSandbox(config.agents.list).map(({ agentId, reason }) => {
    const i = config.agents.list.findIndex((a) => a.id === agentId);
    return {
      severity: 'warning' as const,
      code: 'sandbox_unavailable',
      path: ['agents', 'list', i, 'sandbox', 'mode'],
      file: loaded.configPath,
      message: `agent "${agentId}" will not start on this machine: ${reason}; install the sandbox or set sandbox.mode to "off"`,
    };
  });
}

const validate: Command = {
  name: 'config validate',
  usage: 'config validate [--config FILE]',
  summary: 'Check the config: exit 0 when valid (warnings printed), 1 with every error listed.',
  async run(ctx) {
    const loaded = await ctx.store.load();
    const { ok } = loaded.check;
    // The checker is pure; whether this machine can sandbox is a fact about the machine, added here.
    const issues = [...loaded.check.issues, ...sandboxWarnings(loaded)];
    emit(ctx, { ok, file: loaded.configPath, exists: loaded.exists, hash: loaded.hash, issues }, () => {
      for (const issue of issues) out(ctx, formatIssue(issue));
      const errors = issues.filter((i) => i.severity === 'error').length;
      const warnings = issues.length - errors;
      out(
        ctx,
        ok
          ? `${loaded.configPath}: valid${loaded.exists ? '' : ' (no file yet: the built-in default, one agent "main")'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`
          : `${loaded.configPath}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
      );
    });
    return ok ? 0 : 1;
  },
};

const path: Command = {
  name: 'config path',
  usage: 'config path',
  summary: 'Print where the config file and the state dir are.',
  async run(ctx) {
    emit(ctx, { configPath: ctx.loc.configPath, stateDir: ctx.loc.stateDir }, () => {
      out(ctx, `config:    ${ctx.loc.configPath}\nstate dir: ${ctx.loc.stateDir}`);
    });
    return 0;
  },
};

export const configCommands = [validate, path];
