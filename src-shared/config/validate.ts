// Rules that need the whole normalised config: bindings and broadcast groups naming agents that
// exist, accounts that exist, shadowed bindings, tool and model names.
import {
  BUILTIN_TOOLS,
  CHANNELS,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_MODEL,
  DEPRECATED_MODELS,
  KNOWN_MODELS,
  OWNER_ONLY_TOOLS,
  canonicalModelName,
  isChannelId,
} from './constants.ts';
import type { IssueCollector } from './collector.ts';
import { baseUrlProblem } from './endpoint.ts';
import { didYouMean, formatPath, type JsonPath } from './issues.ts';
import { bindingPath } from './normalize.ts';
import { findShadowedBindings } from './shadow.ts';
import { TIER_NAMES, bindingTier } from './tiers.ts';
import type { AgentConfig, SwitchboardConfig } from './types.ts';

function describeBinding(config: SwitchboardConfig, index: number): string {
  const b = config.bindings.find((x) => x.index === index);
  return b ? formatPath(bindingPath(b)) : `bindings[${index}]`;
}

function checkModel(model: string, path: (string | number)[], out: IssueCollector): void {
  const name = canonicalModelName(model);
  const eol = DEPRECATED_MODELS[name];
  if (eol) out.warn(path, 'deprecated_model', `model "${model}" is deprecated and reaches end-of-life on ${eol}; choose a newer model`);
  else if (!KNOWN_MODELS.includes(name))
    out.warn(
      path,
      'unknown_model',
      `model "${model}" is not in the installed Anthropic SDK's model list${didYouMean(name, KNOWN_MODELS)}; it will be sent as written`,
    );
}

/**
 * A `model` chain: each name like a single model, and a name listed twice (or the primary again
 * among the fallbacks) warned about — trying the same model twice in a row cannot help.
 */
function checkModelChain(
  primary: string | undefined,
  fallbacks: readonly string[] | undefined,
  checkPrimary: boolean,
  path: (...rest: (string | number)[]) => (string | number)[],
  out: IssueCollector,
): void {
  if (primary && checkPrimary) checkModel(primary, path(), out);
  const seen = new Set([canonicalModelName(primary?.trim() || DEFAULT_MODEL)]);
  (fallbacks ?? []).forEach((model, i) => {
    const name = canonicalModelName(model);
    if (seen.has(name))
      out.warn(
        path('fallbacks', i),
        'duplicate_model',
        `model "${model}" is already earlier in this model chain (${[...seen].join(' → ')}); a model is tried once per turn, so this entry is skipped`,
      );
    else checkModel(model, path('fallbacks', i), out);
    seen.add(name);
  });
}

function checkOwners(owners: readonly string[], path: (i: number) => (string | number)[], out: IssueCollector): void {
  owners.forEach((owner, i) => {
    const channel = owner.slice(0, owner.indexOf(':')).toLowerCase();
    if (!isChannelId(channel) || owner.indexOf(':') === owner.length - 1) {
      out.error(path(i), 'invalid_owner', `owner "${owner}" must be "<channel>:<sender id>" with channel one of ${CHANNELS.join(', ')}`);
    }
  });
}
const SANDBOX_DOCKER_WARNING =
  'sandbox.docker is not supported: the OS sandbox is used instead (bubblewrap on Linux, sandbox-exec on macOS); these keys are ignored';

export function validateConfig(config: SwitchboardConfig, out: IssueCollector, agentIndexById: Map<string, number>): void {
  const agentIds = config.agents.list.map((a) => a.id);
  const known = new Set(agentIds);
  const agentPath = (id: string, ...rest: (string | number)[]) => ['agents', 'list', agentIndexById.get(id) ?? 0, ...rest];

  for (const b of config.bindings) {
    const path = bindingPath(b);
    if (!known.has(b.agentId)) {
      out.error(
        b.source === 'bindings' ? [...path, 'agentId'] : path,
        'unknown_agent',
        `binding names agent "${b.agentId}", which is not defined${didYouMean(b.agentId, agentIds)}; messages are never silently sent to another agent — add the agent or fix the id`,
      );
    }
    const accountId = b.match.accountId;
    if (accountId !== '*' && !(b.match.channel === 'webchat' && accountId === DEFAULT_ACCOUNT_ID)) {
      const channel = config.channels[b.match.channel];
      if (!channel) {
        out.warn(
          [...path, 'match', 'channel'],
          'unconfigured_channel',
          `channel "${b.match.channel}" has no accounts configured yet; this binding takes effect once account "${accountId}" is added under channels.${b.match.channel}`,
        );
      } else if (!channel.accounts[accountId]) {
        out.warn(
          [...path, 'match', 'accountId'],
          'unknown_account',
          `account "${accountId}" is not defined under channels.${b.match.channel}.accounts (defined: ${Object.keys(channel.accounts).join(', ') || 'none'}); the binding waits until it is`,
        );
      }
    }
  }

  for (const { shadowed, by } of findShadowedBindings(config.bindings)) {
    out.warn(
      bindingPath(shadowed),
      'shadowed_binding',
      `this binding can never match: ${describeBinding(config, by.index)} (${TIER_NAMES[bindingTier(by)]}) already matches every message it would match`,
    );
  }

  for (const [peerId, agents] of Object.entries(config.broadcast?.groups ?? {})) {
    agents.forEach((id, i) => {
      if (!known.has(id))
        out.error(
          ['broadcast', peerId, i],
          'unknown_agent',
          `broadcast group names agent "${id}", which is not defined${didYouMean(id, agentIds)}`,
        );
    });
  }

  config.tools.agentToAgent.allow.forEach((id, i) => {
    if (!known.has(id))
      out.warn(
        ['tools', 'agentToAgent', 'allow', i],
        'unknown_agent',
        `agentToAgent.allow names agent "${id}", which is not defined${didYouMean(id, agentIds)}`,
      );
  });

  const toolNames: readonly string[] = BUILTIN_TOOLS;
  const defaults = config.agents.defaults;
  const defaultOwners = defaults.owners as string[] | undefined;
  const defaultTools = (defaults.tools ?? {}) as { allow?: string[]; deny?: string[] };
  const checkTools = (list: readonly string[], path: (i: number) => (string | number)[], inherited: readonly string[] = []) =>
    list.forEach((tool, i) => {
      // An inherited name is reported once, where agents.defaults names it.
      if (!toolNames.includes(tool) && !inherited.includes(tool))
        out.warn(
          path(i),
          'unknown_tool',
          `unknown tool "${tool}"${didYouMean(tool, toolNames)}; it is ignored (unknown tools are never available)`,
        );
    });
  for (const list of ['allow', 'deny'] as const)
    checkTools(
      (defaultTools[list] ?? []).map((t) => t.trim()),
      (i) => ['agents', 'defaults', 'tools', list, i],
    );
  for (const agent of config.agents.list) {
    a2aToolGap(config, agent, (...rest) => agentPath(agent.id, ...rest), out);
    for (const list of ['allow', 'deny'] as const)
      checkTools(
        agent.tools[list] ?? [],
        (i) => agentPath(agent.id, 'tools', list, i),
        (defaultTools[list] ?? []).map((t) => t.trim()),
      );
    // Inherited from agents.defaults: warned about once, there.
    if (agent.sandbox.docker && JSON.stringify(agent.sandbox.docker) !== JSON.stringify(config.agents.defaults.sandbox?.docker))
      out.warn(agentPath(agent.id, 'sandbox', 'docker'), 'sandbox_docker_unsupported', SANDBOX_DOCKER_WARNING);
    agent.tools.nonOwners.allow.forEach((tool, i) => {
      const path = agentPath(agent.id, 'tools', 'nonOwners', 'allow', i);
      const name = tool.toLowerCase();
      if (!(OWNER_ONLY_TOOLS as readonly string[]).includes(name))
        out.warn(
          path,
          toolNames.includes(name) ? 'not_owner_only' : 'unknown_tool',
          `"${tool}" is not an owner-only tool (${OWNER_ONLY_TOOLS.join(', ')}); listing it here changes nothing`,
        );
      else if (name === 'exec')
        out.warn(
          path,
          'non_owner_exec',
          'exec for senders who are not owners lets anyone who can message this agent run programs in its workspace, including reading its private files (MEMORY.md, SOUL.md…) through them',
        );
    });
    checkUnsandboxedExec(agent, (...rest) => agentPath(agent.id, ...rest), out);
    // Inherited from agents.defaults (the same primary, the same fallbacks): warned about once, there.
    const ownPrimary = !!agent.model && agent.model !== config.agents.defaults.model;
    const ownFallbacks = JSON.stringify(agent.modelFallbacks ?? []) !== JSON.stringify(config.agents.defaults.modelFallbacks ?? []);
    if (ownPrimary || ownFallbacks)
      checkModelChain(
        agent.model,
        ownFallbacks ? agent.modelFallbacks : undefined,
        ownPrimary,
        (...rest) => agentPath(agent.id, 'model', ...rest),
        out,
      );
    // Inherited owners are checked once, at agents.defaults.owners.
    const inheritedOwners = defaultOwners !== undefined && JSON.stringify(agent.owners) === JSON.stringify(defaultOwners);
    if (!inheritedOwners) checkOwners(agent.owners, (i) => agentPath(agent.id, 'owners', i), out);
  }
  if (defaultOwners) checkOwners(defaultOwners, (i) => ['agents', 'defaults', 'owners', i], out);
  const baseUrl = config.models.anthropic.baseUrl;
  const endpoint = baseUrl === undefined ? undefined : baseUrlProblem(baseUrl, 'models.anthropic.baseUrl');
  if (endpoint) out.error(['models', 'anthropic', 'baseUrl'], endpoint.code, endpoint.message);
  if (config.agents.defaults.sandbox?.docker)
    out.warn(['agents', 'defaults', 'sandbox', 'docker'], 'sandbox_docker_unsupported', SANDBOX_DOCKER_WARNING);
  const d = config.agents.defaults;
  if (d.model || d.modelFallbacks)
    checkModelChain(d.model, d.modelFallbacks, true, (...rest) => ['agents', 'defaults', 'model', ...rest], out);
}

/**
 * An agent in tools.agentToAgent.allow gets sessions_send by default (docs/skills-a2a-reset.md),
 * but its own explicit `tools.allow` or `tools.deny` wins: say exactly what keeps it from messaging.
 */
function a2aToolGap(
  config: SwitchboardConfig,
  agent: SwitchboardConfig['agents']['list'][number],
  at: (...rest: string[]) => (string | number)[],
  out: IssueCollector,
): void {
  const a2a = config.tools.agentToAgent;
  if (!a2a.enabled || !a2a.allow.includes(agent.id.toLowerCase())) return;
  const has = (list: readonly string[] | undefined) => (list ?? []).some((t) => t.trim().toLowerCase() === 'sessions_send');
  if (has(agent.tools.deny))
    out.warn(
      at('tools', 'deny'),
      'a2a_tool_denied',
      `agent "${agent.id}" is in tools.agentToAgent.allow but its tools.deny lists "sessions_send", so it cannot message other agents; remove it from tools.deny or the agent from tools.agentToAgent.allow`,
    );
  else if (agent.tools.allow && !has(agent.tools.allow))
    out.warn(
      at('tools', 'allow'),
      'a2a_tool_missing',
      `agent "${agent.id}" is in tools.agentToAgent.allow but its tools.allow does not list "sessions_send", so it cannot message other agents; add "sessions_send" to its tools.allow`,
    );
}

/** Whether the agent's tool policy enables exec (off unless `tools.allow` names it; `deny` wins). */
function execEnabled(agent: AgentConfig): boolean {
  const has = (list: readonly string[] | undefined): boolean => (list ?? []).some((t) => t.trim().toLowerCase() === 'exec');
  return has(agent.tools.allow) && !has(agent.tools.deny);
}

/** exec without the OS sandbox: refused on Linux and macOS unless opted into, and a risk when it is (docs/security.md). */
function checkUnsandboxedExec(agent: AgentConfig, at: (...rest: string[]) => JsonPath, out: IssueCollector): void {
  if (!execEnabled(agent) || agent.sandbox.mode !== 'off') return;
  if (agent.tools.exec.unsandboxed)
    out.warn(
      at('tools', 'exec', 'unsandboxed'),
      'exec_unsandboxed',
      'exec runs without a sandbox: any program the model runs can read and change the config file, the control-plane token, the keychain while it is unlocked and every other agent\'s folders; prefer sandbox.mode "all"',
    );
  else
    out.warn(
      at('sandbox', 'mode'),
      'exec_needs_sandbox',
      'exec is enabled but this agent has no sandbox, so on Linux and macOS exec is refused; set sandbox.mode to "all" (or "non-main"), or tools.exec.unsandboxed to true to run it unconfined (Windows has no sandbox and runs it unconfined)',
    );
}
