// `switchboard channels status [--probe]` and `channels login --channel whatsapp --account A`.
// Both go through the running gateway when there is one (it owns the connections: a second
// WhatsApp socket would replace the first), and act directly on the files otherwise.
import type { ChannelAccount } from '../../../src-shared/config/index.ts';
import { quarantinePath } from '../../channels/quarantine.ts';
import { silentLogger } from '../../log.ts';
import { keychainResolver } from '../../secrets/resolver.ts';
import { openSecretStore, whatsappLinkKeyAccount } from '../../secrets/store.ts';
import { flagString, type Command } from '../command.ts';
import { CliError, emit, out, table, type CliContext } from '../io.ts';
import { loadValid } from './config.ts';
import { withRunningGateway } from './live.ts';

interface Row {
  channel: string;
  accountId: string;
  state: string;
  reason?: string;
  lastError?: string;
  lastMessageAt?: number;
  unreadable?: number;
  probe?: { ok: boolean; identity?: string; error?: string };
}

async function probeOffline(ctx: CliContext, accounts: ChannelAccount[]): Promise<Map<string, Row['probe']>> {
  const { config } = await loadValid(ctx);
  const keychain = openSecretStore();
  // Loaded here: the adapters are not needed by any other command.
  const { channelAdapterFactory } = await import('../../channels/index.ts');
  const factory = channelAdapterFactory({ stateDir: ctx.loc.stateDir, log: silentLogger, secrets: keychainResolver(keychain), keychain });
  const results = new Map<string, Row['probe']>();
  for (const account of accounts) {
    const adapter = factory(account, config);
    results.set(
      `${account.channel}:${account.accountId}`,
      adapter?.probe ? await adapter.probe() : { ok: false, error: 'cannot be probed' },
    );
  }
  return results;
}

const status: Command = {
  name: 'channels status',
  usage: 'channels status [--probe]',
  summary:
    'Each channel account: connected, linking, stopped (and why), last error, last message, unreadable input skipped; --probe checks credentials with the platform.',
  options: { probe: { type: 'boolean' } },
  async run(ctx, flags) {
    const probe = flags.probe === true;
    let rows = await withRunningGateway(ctx, async (client) => {
      const { channels } = await client.request('channels.status', {});
      const out: Row[] = [];
      for (const c of channels) {
        out.push({
          ...c,
          ...(probe ? { probe: await client.request('channels.probe', { channel: c.channel, accountId: c.accountId }) } : {}),
        });
      }
      return out;
    });
    if (!rows) {
      const { config } = await loadValid(ctx);
      const accounts = (['telegram', 'discord', 'slack', 'whatsapp'] as const).flatMap((c) =>
        Object.values(config.channels[c]?.accounts ?? {}),
      );
      const probes = probe ? await probeOffline(ctx, accounts) : new Map();
      rows = accounts.map((a) => ({
        channel: a.channel,
        accountId: a.accountId,
        state: 'stopped',
        reason: 'no gateway is running',
        ...(probes.has(`${a.channel}:${a.accountId}`) ? { probe: probes.get(`${a.channel}:${a.accountId}`) } : {}),
      }));
    }
    const result = rows;
    emit(ctx, { channels: result }, () => {
      if (result.length === 0) {
        out(ctx, 'No channel accounts are configured. Add one under "channels" in the config (see docs/config.md).');
        return;
      }
      out(
        ctx,
        table([
          ['channel', 'account', 'state', 'details'],
          ...result.map((r) => [
            r.channel,
            r.accountId,
            r.state,
            [
              r.reason,
              r.lastError && r.lastError !== r.reason ? `last error: ${r.lastError}` : undefined,
              r.lastMessageAt ? `last message ${new Date(r.lastMessageAt).toLocaleString()}` : undefined,
              r.unreadable
                ? `${r.unreadable} unreadable skipped (kept in ${quarantinePath(ctx.loc.stateDir, r.channel as 'telegram', r.accountId)})`
                : undefined,
              r.probe
                ? r.probe.ok
                  ? `probe ok${r.probe.identity ? ` (${r.probe.identity})` : ''}`
                  : `probe failed: ${r.probe.error}`
                : undefined,
            ]
              .filter(Boolean)
              .join('; '),
          ]),
        ]),
      );
    });
    return result.some((r) => r.probe && !r.probe.ok) ? 1 : 0;
  },
};

const login: Command = {
  name: 'channels login',
  usage: 'channels login --channel whatsapp --account A',
  summary: 'Link a WhatsApp account: shows the QR code to scan in WhatsApp → Linked devices, until linked.',
  options: { channel: { type: 'string' }, account: { type: 'string' } },
  async run(ctx, flags) {
    const channel = (flagString(flags, 'channel') ?? '').toLowerCase();
    if (channel !== 'whatsapp')
      throw new CliError(
        'only WhatsApp accounts are linked with a QR code: --channel whatsapp (Telegram and Discord take a bot token: "switchboard secrets set NAME")',
        'bad_request',
        {},
        2,
      );
    const accountId = (flagString(flags, 'account') ?? 'default').toLowerCase();
    const { renderQrForTerminal, linkWhatsAppAccount } = await import('../../channels/whatsapp/link.ts');
    const showQr = async (qr: string) => {
      if (ctx.json) return;
      out(ctx, `\nScan this code in WhatsApp → Settings → Linked devices → Link a device (account "${accountId}"):\n`);
      out(ctx, await renderQrForTerminal(qr));
    };
    const viaGateway = await withRunningGateway(ctx, async (client) => {
      client.on('channel.qr', (d) => {
        if (d.channel === 'whatsapp' && d.accountId === accountId) void showQr(d.qr);
      });
      return client.request('channels.login', { channel, accountId });
    });
    let result = viaGateway;
    if (!result) {
      const { config } = await loadValid(ctx);
      if (!config.channels.whatsapp?.accounts[accountId])
        // OpenClaw links first and configures after; here the account is configured first, so say exactly what to add.
        throw new CliError(
          `whatsapp account "${accountId}" is not configured; add it first — channels: { whatsapp: { accounts: { ${JSON.stringify(accountId)}: {} } } } — then run this again`,
          'not_found',
        );
      const keychain = openSecretStore();
      const { whatsAppAuthKeyProvider } = await import('../../channels/whatsapp/auth-store.ts');
      const linked = await linkWhatsAppAccount({
        account: accountId,
        stateDir: ctx.loc.stateDir,
        keyProvider: whatsAppAuthKeyProvider(accountId, keychain, whatsappLinkKeyAccount(accountId)),
        onQr: (qr) => void showQr(qr),
      });
      result = { channel: 'whatsapp', accountId, alreadyLinked: linked.alreadyLinked, ...(linked.phone ? { phone: linked.phone } : {}) };
    }
    const linked = result;
    emit(ctx, linked, () =>
      out(
        ctx,
        linked.alreadyLinked
          ? `WhatsApp account "${accountId}" was already linked${linked.phone ? ` (${linked.phone})` : ''}.`
          : `Linked WhatsApp account "${accountId}"${linked.phone ? ` (${linked.phone})` : ''}.`,
      ),
    );
    return 0;
  },
};

export const channelCommands = [status, login];
