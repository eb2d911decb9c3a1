// Test helper: a ToolContext for one agent of a config, the way the turn runner builds it, with
// the sender's ownership and the session key chosen by the test (memory and task tool tests).
import path from 'node:path';
import type { SwitchboardConfig } from '../../src-shared/config/index.ts';
import type { ToolContext } from '../../src-main/agents/tools/index.ts';
import { agentPaths } from '../../src-main/config/paths.ts';
import type { AgentSessionStore } from '../../src-main/sessions/index.ts';

export interface AgentContextOptions {
  isOwner?: boolean;
  sessionKey?: string;
}

export function agentContext(config: SwitchboardConfig, stateDir: string, agentId: string, opts: AgentContextOptions = {}): ToolContext {
  const agent = config.agents.list.find((a) => a.id === agentId);
  if (!agent) throw new Error(`no agent ${agentId}`);
  const main = `agent:${agentId}:main`;
  const sessionKey = opts.sessionKey ?? main;
  return {
    agent,
    config,
    paths: agentPaths(agent, config, { stateDir, configPath: path.join(stateDir, 'switchboard.json') }),
    sessionKey,
    store: { agentId } as unknown as AgentSessionStore,
    model: 'claude-test',
    inbound: {
      text: 'hi',
      sender: { id: 'u1' },
      channel: 'telegram',
      isOwner: opts.isOwner ?? true,
      route: {
        agentId,
        channel: 'telegram',
        accountId: 'default',
        sessionKey,
        mainSessionKey: main,
        matchedBy: 'default',
        bindingIndex: null,
      },
    },
    usage: () => ({ inputTokens: 0, outputTokens: 0 }),
    env: {},
    signal: new AbortController().signal,
  };
}
