// Formatting shared by the views: relative times, compact numbers, channel names.
const CHANNEL_NAMES: Record<string, string> = { telegram: 'Telegram', discord: 'Discord', whatsapp: 'WhatsApp', webchat: 'Web chat' };

export function channelName(channel: string): string {
  return CHANNEL_NAMES[channel] ?? channel;
}

export function compactNumber(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'unknown';
  const s = Math.round((now - t) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toLocaleDateString();
}

export function clockTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** An agent's model chain as the CLI prints it: "A → B → C" (the primary, then its fallbacks in order). */
export function modelChain(agent: { model: string; modelFallbacks?: string[] | undefined }): string {
  return [agent.model, ...(agent.modelFallbacks ?? [])].join(' → ');
}
