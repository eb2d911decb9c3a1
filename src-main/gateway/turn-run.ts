// One model turn as the gateway runs it: the agent's state and the streamed deltas and tool steps
// as events, a crash of the runner turned into an honest failure, usage counted, and the reply
// sent to the chat and announced as `message.outbound`.
import { DEFAULT_MODEL } from '../../src-shared/config/index.ts';
import { TOOL_INPUT_EVENT_MAX } from '../../src-shared/protocol/methods.ts';
import type { TurnEvents, TurnRequest, TurnResult } from '../agents/turn-types.ts';
import type { ModuleLogger } from '../log.ts';
import { redactText } from '../secrets/redact.ts';
import type { AgentActivity } from './agent-activity.ts';
import type { Delivery, Emit } from './delivery.ts';
import type { InboundEnvelope } from './envelope.ts';
import type { UsageLedger } from './usage-ledger.ts';

export interface TurnRunner {
  run(req: TurnRequest): Promise<TurnResult>;
}

export interface TurnRunDeps {
  runner: TurnRunner;
  emit: Emit;
  log: ModuleLogger;
  activity: AgentActivity;
  usage: UsageLedger;
  /** Shows "typing…" in the chat until stopped (none for webchat). */
  typing(envelope: InboundEnvelope): { stop(): void } | undefined;
}

/**
 * Runs `request` for `delivery` and answers with its text. `ended` is called as soon as the model
 * turn is over, before the reply is sent (the session no longer counts as running).
 */
export async function runModelTurn(
  deps: TurnRunDeps,
  { agentId, decision, envelope, reply }: Delivery,
  request: Omit<TurnRequest, keyof TurnEvents>,
  ended: () => void,
): Promise<TurnResult> {
  const { emit } = deps;
  const { agent, store } = request;
  const sessionKey = decision.sessionKey;
  emit('agent.state', { agentId, state: deps.activity.turnStarted(agentId) });
  const typing = envelope.channel === 'webchat' ? undefined : deps.typing(envelope);
  let result: TurnResult;
  try {
    result = await deps.runner.run({
      ...request,
      onDelta: (text) => emit('agent.delta', { agentId, sessionKey, messageId: envelope.messageId, text }),
      onToolCall: (call) =>
        emit('agent.tool', {
          agentId,
          sessionKey,
          messageId: envelope.messageId,
          phase: 'call',
          id: call.id,
          name: call.name,
          ...toolInputField(call.input),
        }),
      onToolResult: (r) =>
        emit('agent.tool', {
          agentId,
          sessionKey,
          messageId: envelope.messageId,
          phase: 'result',
          id: r.id,
          name: r.name,
          isError: r.isError,
          summary: r.summary,
        }),
    });
  } catch (err) {
    deps.log.error('agent turn crashed', { agentId, error: (err as Error).message });
    result = {
      text: '',
      incomplete: true,
      usage: { inputTokens: 0, outputTokens: 0 },
      toolCalls: 0,
      model: agent.model ?? request.config.agents.defaults.model ?? DEFAULT_MODEL,
      failure: {
        kind: 'internal',
        message: (err as Error).message,
        userMessage: 'Sorry — something went wrong on my side; the error was logged.',
      },
    };
  } finally {
    ended();
    typing?.stop();
  }
  // A stopped turn (turn.cancel, `/stop`, shutdown) is what the user asked for, not an error:
  // the agent goes back to idle; the reply stays marked incomplete in the transcript.
  const failed = result.failure && result.failure.kind !== 'cancelled' ? result.failure.message : undefined;
  emit('agent.state', { agentId, state: deps.activity.turnFinished(agentId, result.usage, failed) });
  deps.usage.record(agentId, result.usage, result.usageByModel);
  const text = result.failure
    ? result.text
      ? `${result.text}\n\n${result.failure.userMessage}`
      : result.failure.userMessage
    : result.text;
  if (reply && text.trim() !== '' && result.failure?.kind !== 'cancelled') {
    await reply(text, { failed: result.failure !== undefined }).catch(async (err: Error) => {
      deps.log.warn('sending the reply failed', { agentId, channel: envelope.channel, error: err.message });
      await store.append(sessionKey, { type: 'error', kind: 'send_failed', message: err.message, inReplyTo: request.inboundSeq });
    });
  }
  emit('message.outbound', {
    agentId,
    sessionKey,
    messageId: envelope.messageId,
    channel: envelope.channel,
    accountId: envelope.accountId,
    text,
    incomplete: result.incomplete,
    ...(result.failure ? { failure: result.failure.kind } : {}),
    usage: result.usage,
  });
  return result;
}

/**
 * A tool's input for the `agent.tool` call event: JSON, redacted before it is cut (a cut secret
 * would no longer be recognised), at most TOOL_INPUT_EVENT_MAX characters.
 */
export function toolInputField(input: unknown): { input?: string } {
  let json: string | undefined;
  try {
    json = JSON.stringify(input);
  } catch {
    return {};
  }
  if (json === undefined) return {};
  const text = redactText(json);
  return { input: text.length <= TOOL_INPUT_EVENT_MAX ? text : `${text.slice(0, TOOL_INPUT_EVENT_MAX - 1)}…` };
}
