// A small coloured mark per channel, so a long list of accounts scans by channel at a glance.
// Decorative: the channel's name is always written next to it.
const LETTER: Record<string, string> = { telegram: 'T', discord: 'D', whatsapp: 'W', webchat: 'W' };

export function ChannelGlyph({ channel }: { channel: string }) {
  return (
    <span className={`channel-glyph ${channel}`} aria-hidden="true">
      {LETTER[channel] ?? channel.slice(0, 1).toUpperCase()}
    </span>
  );
}
