// What "Export" saves: one `.jsonl` file whose first line is the session's metadata (`format:
// "switchboard.session"`, its index entry, when it was exported) and the rest the transcript's
// records as the gateway stored them (redacted). Named `<agentId>-<session key, sanitised>.jsonl`.
import type { Result } from '../../gateway/client.ts';

/** `main` + `agent:main:telegram:direct:42` → `main-agent_main_telegram_direct_42.jsonl`. */
export function exportFileName(agentId: string, key: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+|_+$/g, '');
  return `${safe(agentId) || 'agent'}-${safe(key).slice(0, 150) || 'session'}.jsonl`;
}

export function exportFileText(exported: Result<'sessions.export'>): string {
  return `${JSON.stringify(exported.meta)}\n${exported.jsonl}`;
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
