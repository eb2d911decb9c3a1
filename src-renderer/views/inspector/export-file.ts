// What "Export" saves (docs/architecture.md#sessions-from-the-inspector). JSONL, complete: one
// `.jsonl` file whose first line is the session's metadata (`format: "switchboard.session"`, its
// index entry, when it was exported) and the rest the transcript's records as the gateway stored
// them (redacted). Markdown, readable: the conversation in order, with failures and tool calls
// marked, for reading or sharing. Named `<agentId>-<title, or session key>.<ext>`, sanitised.
import { conversationOrder, undeliveredInbounds } from '../../../src-shared/protocol/conversation.ts';
import type { Result } from '../../gateway/client.ts';

type Exported = Result<'sessions.export'>;
export type ExportFormat = 'jsonl' | 'markdown';

/** `main` + `agent:main:telegram:direct:42` → `main-agent_main_telegram_direct_42.jsonl`. */
export function exportFileName(agentId: string, key: string, format: ExportFormat = 'jsonl', title?: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+|_+$/g, '');
  const ext = format === 'markdown' ? 'md' : 'jsonl';
  return `${safe(agentId) || 'agent'}-${safe(title ?? key).slice(0, 150) || 'session'}.${ext}`;
}

export function exportFileText(exported: Exported): string {
  return `${JSON.stringify(exported.meta)}\n${exported.jsonl}`;
}

interface Rec {
  seq: number;
  ts?: unknown;
  type: string;
  role?: unknown;
  text?: unknown;
  kind?: unknown;
  message?: unknown;
  name?: unknown;
  input?: unknown;
  incomplete?: unknown;
  inReplyTo?: unknown;
  sender?: { id?: unknown; name?: unknown };
  channel?: unknown;
}

function parseLines(jsonl: string): Rec[] {
  const out: Rec[] = [];
  for (const line of jsonl.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as Rec;
      if (typeof r.seq === 'number' && typeof r.type === 'string') out.push(r);
    } catch {
      // a damaged line is in the JSONL export; the readable one leaves it out
    }
  }
  return out;
}

const when = (ts: unknown): string => {
  const d = typeof ts === 'string' ? new Date(ts) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '';
};
/** Every line of `text` quoted, so a message's own Markdown stays inside its block. */
const quote = (text: string): string =>
  text
    .split('\n')
    .map((l) => `> ${l}`.trimEnd())
    .join('\n');

/** The conversation as Markdown: a heading with the session's facts, then each message in order. */
export function exportMarkdown(exported: Exported, agentName: string, label: string): string {
  const records = conversationOrder(parseLines(exported.jsonl));
  const undelivered = undeliveredInbounds(records);
  const m = exported.meta;
  const out: string[] = [
    `# ${m.title ?? label}`,
    '',
    `- Agent: ${agentName} (\`${m.agentId}\`)`,
    `- Session: \`${m.key}\`${m.archived ? ' (archived)' : ''}`,
    `- Messages: ${m.messages} · tokens: ${m.inputTokens} in, ${m.outputTokens} out`,
    `- Started ${when(m.created)} · last message ${when(m.updated)} · exported ${when(m.exportedAt)}`,
    '',
  ];
  for (const r of records) {
    const text = typeof r.text === 'string' ? r.text : '';
    if (r.type === 'message' && r.role === 'user') {
      const operator = r.sender?.id === 'operator' && r.channel === 'webchat';
      const who = operator ? 'You' : String(r.sender?.name ?? r.sender?.id ?? 'someone');
      const failed = undelivered.get(r.seq);
      out.push(`**${who}** · ${when(r.ts)}${failed ? ` · _not delivered (${failed.replace(/_/g, ' ')})_` : ''}`, '', quote(text), '');
    } else if (r.type === 'message' && r.role === 'assistant') {
      if (text.trim() === '' && r.incomplete !== true) continue;
      out.push(`**${agentName}** · ${when(r.ts)}${r.incomplete === true ? ' · _incomplete_' : ''}`, '', text || '_(no text)_', '');
    } else if (r.type === 'tool_call') {
      out.push(`_${agentName} used the tool \`${String(r.name ?? 'tool')}\`._`, '');
    } else if (r.type === 'error') {
      out.push(`> ⚠ **${String(r.kind ?? 'error').replace(/_/g, ' ')}**${typeof r.message === 'string' ? `: ${r.message}` : ''}`, '');
    }
  }
  return out.join('\n').trimEnd() + '\n';
}

/** Hands `text` to the browser as a file download (a Blob behind a temporary `<a download>`). */
export function downloadText(name: string, text: string, type = 'application/x-ndjson'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download reads the Blob after this task; give it time before the URL is released.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
