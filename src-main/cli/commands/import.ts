// `switchboard import FILE`: an OpenClaw / CoderClaw (`openclaw.json`, `coderclaw.json`) or
// ArgentOS (`argent.json`) config becomes the equivalent Switchboard config. Everything mapped,
// dropped or moved is reported; plaintext secrets are never copied into the new file: they go to
// the OS keychain when it is available, else the `secrets set` commands to run are printed.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  CHANNELS,
  SECRET_FIELDS,
  checkConfigValue,
  hasEnvReference,
  formatIssue,
  formatPath,
  isArgentosAgents,
  isChannelId,
  type ChannelId,
  type ConfigIssue,
} from '../../../src-shared/config/index.ts';
import { rawConfigSchema } from '../../../src-shared/config/schema.ts';
import { Json5SyntaxError, parseJson5, stringifyJson5 } from '../../../src-shared/json5/index.ts';
import { createAgentLayout } from '../../agents/layout.ts';
import { agentPaths, defaultAgentDir, homeRelative } from '../../config/paths.ts';
import { atomicWrite } from '../../state/atomic-write.ts';
import { channelSecretName, storeSecret } from '../../secrets/credentials.ts';
import { registerSecret } from '../../secrets/redact.ts';
import { openSecretStore } from '../../secrets/store.ts';
import type { Command } from '../command.ts';
import { CliError, emit, out } from '../io.ts';
import { convertSlackBlock } from './import-slack.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

import type { ImportReport } from './import-report.ts';
export type { ImportReport } from './import-report.ts';

function deletePath(root: Obj, p: (string | number)[]): boolean {
  let node: unknown = root;
  for (const part of p.slice(0, -1)) {
    node = (node as Obj | unknown[])?.[part as never];
    if (node === undefined || node === null) return false;
  }
  const last = p[p.length - 1]!;
  if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else if (isObj(node)) delete node[last as string];
  else return false;
  return true;
}

/** A plaintext secret found while converting; kept apart from the report, which gets printed. */
export interface ForeignSecret {
  path: string;
  name: string;
  value: string;
}

/** Converts a foreign config object into the Switchboard shape (pure apart from path strings). */
const PROVIDER_PREFIX = 'anthropic/';

/** `anthropic/claude-x` → `claude-x`, in a model string or in `{ primary, fallbacks }`; each change reported. */
function withoutProviderPrefix(model: unknown, who: string, report: ImportReport): unknown {
  const strip = (name: unknown, what: string): unknown => {
    if (typeof name !== 'string' || !name.trim().startsWith(PROVIDER_PREFIX)) return name;
    const bare = name.trim().slice(PROVIDER_PREFIX.length);
    report.mapped.push(`${who}: ${what} ${name} → ${bare}`);
    return bare;
  };
  if (!isObj(model)) return strip(model, 'model');
  const out: Obj = { ...model };
  if ('primary' in out) out.primary = strip(out.primary, 'model');
  if (Array.isArray(out.fallbacks)) out.fallbacks = out.fallbacks.map((f) => strip(f, 'fallback model'));
  return out;
}

export function convertForeignConfig(
  source: unknown,
  opts: { stateDir: string; homeDir: string },
): { raw: Obj; report: ImportReport; plaintext: ForeignSecret[] } {
  if (!isObj(source)) throw new CliError('the file does not contain a JSON object');
  const raw = structuredClone(source);
  const argentos = isArgentosAgents(raw.agents);
  const report: ImportReport = { format: argentos ? 'argentos' : 'openclaw', mapped: [], dropped: [], secrets: [] };
  const plaintext: ForeignSecret[] = [];

  // Agents: list form, persona strings as identity.persona, explicit folders of our own.
  const agents = isObj(raw.agents) ? raw.agents : {};
  const entries: Obj[] = argentos
    ? Object.entries(agents)
        .filter(([k]) => k !== 'defaults')
        .map(([id, v]) => ({ id, ...(isObj(v) ? v : {}) }))
    : Array.isArray(agents.list)
      ? (agents.list as Obj[])
      : [];
  if (argentos) report.mapped.push(`agents: the ArgentOS map (${entries.map((e) => e.id).join(', ')}) → agents.list`);
  for (const agent of entries) {
    const id = String(agent.id ?? '')
      .trim()
      .toLowerCase();
    if (typeof agent.identity === 'string') {
      agent.identity = { persona: agent.identity };
      report.mapped.push(`agent ${id}: identity text → identity.persona`);
    }
    if (typeof agent.workspace === 'string')
      report.mapped.push(`agent ${id}: keeps its workspace ${agent.workspace} (its AGENTS.md/SOUL.md/USER.md are used as they are)`);
    else agent.workspace = homeRelative(path.join(opts.stateDir, `workspace-${id}`), opts.homeDir);
    if (typeof agent.agentDir === 'string')
      report.dropped.push(
        `agent ${id}: agentDir ${agent.agentDir} is not reused (auth profiles there hold plaintext keys); Switchboard keeps keys in the OS keychain`,
      );
    agent.agentDir = homeRelative(defaultAgentDir(id, opts.stateDir), opts.homeDir);
    if ('model' in agent) agent.model = withoutProviderPrefix(agent.model, `agent ${id}`, report);
  }
  if (isObj(agents.defaults) && 'model' in agents.defaults)
    agents.defaults.model = withoutProviderPrefix(agents.defaults.model, 'agents.defaults', report);
  raw.agents = { ...(isObj(agents.defaults) ? { defaults: agents.defaults } : {}), list: entries };

  if (isObj(raw.tools) && 'elevated' in raw.tools) {
    report.dropped.push('tools.elevated: Switchboard has no elevated mode; owner-only tools are set per agent (agents.list[].owners)');
    delete raw.tools.elevated;
  }

  // Bindings and channels of unsupported platforms are dropped; shorthands become bindings.
  const bindings = Array.isArray(raw.bindings) ? (raw.bindings as Obj[]) : [];
  raw.bindings = bindings.filter((b, i) => {
    const channel = String((b.match as Obj | undefined)?.channel ?? '')
      .trim()
      .toLowerCase();
    if (isChannelId(channel)) return true;
    report.dropped.push(`bindings[${i}]: channel "${channel}" is not supported (Switchboard has ${CHANNELS.join(', ')})`);
    return false;
  });
  const channels = isObj(raw.channels) ? raw.channels : {};
  for (const [name, block] of Object.entries(channels)) {
    if (!isChannelId(name)) {
      report.dropped.push(
        `channels.${name}: channel not supported (Switchboard has ${CHANNELS.join(', ')})${isObj(block) && block.agent ? `, so its route to agent "${String(block.agent)}" is dropped too` : ''}`,
      );
      delete channels[name];
      continue;
    }
    if (!isObj(block)) continue;
    if (typeof block.agent === 'string') {
      (raw.bindings as Obj[]).push({ agentId: block.agent, match: { channel: name, accountId: '*' } });
      report.mapped.push(
        `channels.${name}.agent "${block.agent}" → binding [${(raw.bindings as Obj[]).length - 1}] (every ${name} account)`,
      );
      delete block.agent;
    }
    if (name === 'slack') convertSlackBlock(block, report);
    moveSecrets(name, block, report, plaintext);
  }
  return { raw, report, plaintext };
}

function moveSecrets(channel: ChannelId, block: Obj, report: ImportReport, plaintext: ForeignSecret[]): void {
  const fields = SECRET_FIELDS[channel];
  const visit = (holder: Obj, account: string, at: string) => {
    for (const field of fields) {
      const value = holder[field];
      // `"${SLACK_BOT_TOKEN}"` is an environment reference (substituted at load), not a secret to move.
      if (typeof value !== 'string' || hasEnvReference(value)) continue;
      const name = channelSecretName(channel, account, field);
      registerSecret(value);
      if (value.trim() !== '') plaintext.push({ path: `${at}.${field}`, name, value });
      holder[field] = { secret: name };
      report.secrets.push({ path: `${at}.${field}`, name });
    }
  };
  visit(block, 'default', `channels.${channel}`);
  if (isObj(block.accounts)) {
    for (const [account, value] of Object.entries(block.accounts))
      if (isObj(value)) visit(value, account.toLowerCase(), `channels.${channel}.accounts.${account}`);
  }
}

/** Stores the imported values in the keychain; `stored` false (with the reason) when it cannot. */
async function storeImported(plaintext: ForeignSecret[]): Promise<{ stored: boolean; reason: string | null }> {
  if (plaintext.length === 0) return { stored: true, reason: null };
  const store = openSecretStore();
  const status = await store.status();
  if (!status.available) return { stored: false, reason: status.reason };
  try {
    for (const p of plaintext) await storeSecret(store, p.name, p.value);
    return { stored: true, reason: null };
  } catch (err) {
    return { stored: false, reason: (err as { reason?: string }).reason ?? (err as Error).message };
  }
}

/**
 * Drops keys Switchboard does not know until the schema accepts the rest; returns what remains
 * wrong. Read from the schema's own issues so an object with several unknown keys loses those
 * keys, never the whole object (and with it the known keys beside them).
 */
function dropUnknownKeys(raw: Obj, report: ImportReport): ConfigIssue[] {
  for (let round = 0; round < 50; round++) {
    const parsed = rawConfigSchema.safeParse(raw);
    if (parsed.success) break;
    let dropped = false;
    for (const issue of parsed.error.issues) {
      if (issue.code !== 'unrecognized_keys') continue;
      const at = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      for (const key of issue.keys) {
        if (!deletePath(raw, [...at, key])) continue;
        report.dropped.push(`${formatPath([...at, key])}: not a Switchboard setting`);
        dropped = true;
      }
    }
    if (!dropped) break;
  }
  return checkConfigValue(raw).issues;
}

export const importCommand: Command = {
  name: 'import',
  usage: 'import FILE [--force]',
  positionals: [1, 1],
  summary: 'Convert an OpenClaw/CoderClaw or ArgentOS config into switchboard.json, reporting what was mapped and dropped.',
  options: { force: { type: 'boolean' } },
  async run(ctx, flags, args) {
    if (args.length !== 1) throw new CliError('import takes one file', 'bad_request', {}, 2);
    const file = path.resolve(args[0]!);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      throw new CliError(
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
        'not_found',
      );
    }
    let source: unknown;
    try {
      source = parseJson5(text).value;
    } catch (err) {
      if (err instanceof Json5SyntaxError)
        throw new CliError(`${file}:${err.line}:${err.column}: ${err.message}`, 'bad_request', { line: err.line, column: err.column });
      throw err;
    }
    const target = ctx.loc.configPath;
    if (existsSync(target) && !flags.force) throw new CliError(`${target} already exists; pass --force to replace it`, 'conflict');
    const { raw, report, plaintext } = convertForeignConfig(source, { stateDir: ctx.loc.stateDir, homeDir: ctx.homeDir });
    const issues = dropUnknownKeys(raw, report);
    const errors = issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) throw new CliError(`the imported config would be invalid; nothing was written`, 'bad_request', {}, 1, issues);
    const header = `// Imported by "switchboard import" from ${file}\n`;
    const body = stringifyJson5(raw);
    await atomicWrite(target, header + body);
    const loaded = await ctx.store.load();
    const config = loaded.check.config;
    if (config) {
      for (const agent of config.agents.list)
        await createAgentLayout(agentPaths(agent, config, ctx.loc, ctx.homeDir), {
          id: agent.id,
          name: agent.name ?? agent.id,
          persona: agent.identity.persona,
        });
    }
    const warnings = loaded.check.issues.filter((i) => i.severity === 'warning' && i.code !== 'plaintext_secret');
    const keychain = await storeImported(plaintext);
    const commands = keychain.stored ? [] : [...new Set(plaintext.map((p) => `switchboard secrets set ${p.name}`))];
    emit(ctx, { written: target, source: file, ...report, keychain, secretCommands: commands, issues: warnings }, () => {
      out(ctx, `Imported ${file} (${report.format} format) → ${target}`);
      for (const m of report.mapped) out(ctx, `  mapped:  ${m}`);
      for (const d of report.dropped) out(ctx, `  dropped: ${d}`);
      if (report.secrets.length > 0) {
        out(ctx, '  plaintext secrets were NOT copied into the config; it now refers to keychain entries:');
        for (const s of report.secrets) out(ctx, `    ${s.path} → keychain secret "${s.name}"`);
        if (keychain.stored) out(ctx, `  their values are stored in the OS keychain`);
        else {
          out(ctx, `  the values are NOT stored yet (keychain unavailable: ${keychain.reason}); once it is available run:`);
          for (const c of commands) out(ctx, `    ${c}`);
          out(ctx, `  or: switchboard secrets migrate --from ${file}`);
        }
      }
      for (const w of warnings) out(ctx, `  ${formatIssue(w)}`);
    });
    return 0;
  },
};
