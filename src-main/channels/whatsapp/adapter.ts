// The WhatsApp ChannelAdapter for one account: one Baileys socket at a time (the old one is ended
// before a new one exists), reconnects with backoff, stops for good on logout or replacement, maps
// messages to envelopes and sends chunked replies. Baileys itself sits behind the SocketFactory seam.
import type { WAMessage } from '@whiskeysockets/baileys';
import type { ChannelAccount, PeerRef, SwitchboardConfig } from '../../../src-shared/config/index.ts';
import type { ChannelAdapter, ChannelState, ChannelStatus, InboundEnvelope, OutboundMessage, ProbeResult } from '../../gateway/envelope.ts';
import { createLogger, type Logger, type ModuleLogger } from '../../log.ts';
import { Backoff, sleep, type BackoffOptions } from '../backoff.ts';
import { CHUNK_LIMITS, chunkText } from '../chunk.ts';
import { deferImages, DEFAULT_IMAGE_LIMITS, ImageTooLargeError, type ImageLimits } from '../media.ts';
import { openWhatsAppAuthState, type AuthKeyProvider, type EncryptedAuthState } from './auth-store.ts';
import { checkMessage, jidToE164, lidsToResolve, normalizeJid, peerToJid, readMessage, unwrap, type SelfIds } from './mapping.ts';
import {
  MediaTooLargeError,
  WA_CLOSE,
  baileysLogger,
  disconnectCode,
  socketFactoryFor,
  type SocketFactory,
  type WaEvents,
  type WaSocketLike,
} from './socket.ts';
import { Quarantine } from '../quarantine.ts';
import { accountStatus } from '../status.ts';

export interface WhatsAppAdapterDeps {
  stateDir: string;
  log: Logger;
  keyProvider: AuthKeyProvider;
  /** Default: the real Baileys socket, through the proxy `env` names. */
  socketFactory?: SocketFactory;
  /** Where HTTPS_PROXY / NO_PROXY are read for the real socket (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** QR codes while the account is unlinked; without it an unlinked account does not connect. */
  onQr?(qr: string): void;
  backoff?: BackoffOptions;
  /** Image download caps (default DEFAULT_IMAGE_LIMITS). */
  media?: Partial<ImageLimits>;
}

const RECENT_LIMIT = 500;

export const reloginHint = (accountId: string) => `switchboard channels login --channel whatsapp --account ${accountId}`;

/** A bounded insertion-ordered map (recent messages, for quoting and de-duplication). */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > RECENT_LIMIT) map.delete(map.keys().next().value as K);
}

class WhatsAppAdapter implements ChannelAdapter {
  readonly channel = 'whatsapp' as const;
  readonly accountId: string;
  private readonly log: ModuleLogger;
  private sink: ((e: InboundEnvelope) => Promise<void>) | undefined;
  private auth: EncryptedAuthState | undefined;
  private sock: WaSocketLike | undefined;
  private detach: (() => void) | undefined;
  private generation = 0;
  private stopped = true;
  private abort = new AbortController();
  private state: ChannelState = 'stopped';
  private reason: string | undefined;
  private lastError: string | undefined;
  private lastMessageAt: number | undefined;
  /** Tells the gateway that status() may say something new (start's onStatusChange). */
  private statusChanged: () => void = () => {};
  private self: SelfIds = {};
  private readonly backoff: Backoff;
  private readonly factory: SocketFactory;
  private readonly recent = new Map<string, { msg: WAMessage; peerId: string }>();
  private readonly seen = new Map<string, true>();
  private inbound: Promise<void> = Promise.resolve();
  private saving: Promise<void> = Promise.resolve();
  private readonly quarantine: Quarantine;

  constructor(
    private readonly account: ChannelAccount,
    private readonly deps: WhatsAppAdapterDeps,
  ) {
    this.accountId = account.accountId;
    this.log = createLogger('whatsapp', deps.log, { channel: 'whatsapp', accountId: this.accountId });
    this.backoff = new Backoff(deps.backoff);
    this.factory = deps.socketFactory ?? socketFactoryFor(deps.env ?? process.env);
    this.quarantine = new Quarantine({ stateDir: deps.stateDir, channel: 'whatsapp', accountId: account.accountId, log: deps.log });
  }

  async start(sink: (e: InboundEnvelope) => Promise<void>, onStatusChange?: () => void): Promise<void> {
    if (onStatusChange) this.statusChanged = onStatusChange;
    this.sink = sink;
    this.stopped = false;
    this.abort = new AbortController();
    this.reason = undefined;
    this.state = 'connecting';
    this.statusChanged();
    if (this.account.settings.authDir !== undefined) {
      this.log.warn('channels.whatsapp authDir is ignored: link state always lives under <stateDir>/credentials/whatsapp/<account>/');
    }
    try {
      this.auth ??= await openWhatsAppAuthState({
        stateDir: this.deps.stateDir,
        accountId: this.accountId,
        keyProvider: this.deps.keyProvider,
      });
    } catch (err) {
      // A wrong key or a tampered file needs the user; retrying would only loop.
      this.halt('error', (err as Error).message);
      return;
    }
    if (!this.auth.state.creds.me && !this.deps.onQr) {
      this.halt('stopped', `not linked — link it with ${reloginHint(this.accountId)}`);
      return;
    }
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.endSocket();
    await this.saving;
    if (this.state !== 'error') this.state = 'stopped';
    this.statusChanged();
  }

  private halt(state: 'stopped' | 'error', reason: string): void {
    this.stopped = true;
    this.abort.abort();
    this.endSocket();
    this.state = state;
    this.reason = reason;
    this.statusChanged();
    this.log.log(state === 'error' ? 'error' : 'warn', 'whatsapp account stopped', { reason });
  }

  /** Ends the current socket (and forgets its listeners) so a new one never overlaps it. */
  private endSocket(): void {
    const sock = this.sock;
    this.sock = undefined;
    this.detach?.();
    this.detach = undefined;
    if (!sock) return;
    try {
      sock.end(undefined);
    } catch (err) {
      this.log.debug('ending the socket failed', { error: (err as Error).message });
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped || !this.auth) return;
    this.endSocket();
    const gen = ++this.generation;
    let sock: WaSocketLike;
    try {
      sock = await this.factory({ auth: this.auth.state, logger: baileysLogger(this.log) });
    } catch (err) {
      this.lastError = (err as Error).message;
      this.statusChanged();
      return this.scheduleReconnect(gen, this.backoff.next());
    }
    if (this.stopped || gen !== this.generation) {
      sock.end(undefined);
      return;
    }
    this.sock = sock;
    const onConnection = (u: WaEvents['connection.update']) => this.onConnection(gen, sock, u);
    const onCreds = (u: WaEvents['creds.update']) => this.onCreds(u);
    const onUpsert = (u: WaEvents['messages.upsert']) => this.onUpsert(gen, sock, u);
    sock.ev.on('connection.update', onConnection);
    sock.ev.on('creds.update', onCreds);
    sock.ev.on('messages.upsert', onUpsert);
    this.detach = () => {
      sock.ev.off('connection.update', onConnection);
      sock.ev.off('creds.update', onCreds);
      sock.ev.off('messages.upsert', onUpsert);
    };
  }

  private onCreds(update: WaEvents['creds.update']): void {
    const auth = this.auth;
    if (!auth) return;
    Object.assign(auth.state.creds, update);
    // Written at once (a crash must not lose new keys); the store serialises the writes.
    this.saving = auth.saveCreds().catch((err: Error) => {
      this.lastError = err.message;
      this.statusChanged();
      this.log.error('saving the WhatsApp link state failed', { error: err.message });
    });
  }

  private onConnection(gen: number, sock: WaSocketLike, update: WaEvents['connection.update']): void {
    if (gen !== this.generation || this.stopped) return;
    if (update.qr) {
      this.state = 'linking';
      this.statusChanged();
      this.deps.onQr?.(update.qr);
    }
    if (update.connection === 'open') {
      this.state = 'connected';
      this.reason = undefined;
      this.statusChanged();
      this.backoff.reset();
      this.self = { ...(sock.user?.id ? { pn: sock.user.id } : {}), ...(sock.user?.lid ? { lid: sock.user.lid } : {}) };
      this.log.info('whatsapp connected', { self: jidToE164(sock.user?.id) });
    } else if (update.connection === 'close') {
      void this.onClose(gen, update);
    }
  }

  private async onClose(gen: number, update: WaEvents['connection.update']): Promise<void> {
    const code = disconnectCode(update);
    const message = update.lastDisconnect?.error?.message ?? 'connection closed';
    this.lastError = code ? `${message} (${code})` : message;
    this.statusChanged();
    this.endSocket();
    if (code === WA_CLOSE.loggedOut) {
      const auth = this.auth;
      this.auth = undefined;
      this.stopped = true;
      this.abort.abort();
      // The phone removed this device: the stored keys are useless now and must not linger.
      // Cleared before the status says so, so "logged out" always means "nothing left on disk".
      await this.saving;
      await auth?.clear().catch((err: Error) => this.log.error('clearing the WhatsApp link state failed', { error: err.message }));
      return this.halt('stopped', `logged out — re-link with ${reloginHint(this.accountId)}`);
    }
    if (code === WA_CLOSE.connectionReplaced) return this.halt('stopped', 'another WhatsApp Web session replaced this one');
    if (code === WA_CLOSE.forbidden) return this.halt('error', 'WhatsApp refused this account (403 forbidden)');
    if (!this.auth?.state.creds.me && code === WA_CLOSE.timedOut && this.state === 'linking') {
      return this.halt('stopped', `not linked — the QR code was not scanned in time; link it with ${reloginHint(this.accountId)}`);
    }
    this.state = 'connecting';
    this.statusChanged();
    // 515 "restart required" is part of a normal link/resume: come straight back.
    this.scheduleReconnect(gen, code === WA_CLOSE.restartRequired ? 0 : this.backoff.next());
  }

  private scheduleReconnect(gen: number, delayMs: number): void {
    this.log.info('whatsapp reconnecting', { delayMs, lastError: this.lastError });
    void sleep(delayMs, this.abort.signal).then((ok) => {
      if (ok && !this.stopped && gen === this.generation) return this.connect();
    });
  }

  private onUpsert(gen: number, sock: WaSocketLike, update: WaEvents['messages.upsert']): void {
    // `append` = history and our own sends; only live (`notify`) messages start turns.
    if (gen !== this.generation || update?.type !== 'notify') return;
    const batch: unknown = update.messages;
    if (!Array.isArray(batch)) {
      void this.quarantine.keep(update, 'unreadable WhatsApp messages.upsert (messages: not a list)');
      return;
    }
    this.inbound = this.inbound
      .then(() => this.deliver(sock, batch))
      .catch((err: Error) => {
        this.log.error('whatsapp inbound message failed', { error: err.message });
      });
  }

  /** One message at a time, in arrival order, each handed over only after the previous is durable. */
  private async deliver(sock: WaSocketLike, messages: unknown[]): Promise<void> {
    for (const raw of messages) {
      const checked = checkMessage(raw);
      if ('unreadable' in checked) {
        await this.quarantine.keep(raw, checked.unreadable);
        continue;
      }
      const msg = checked.message;
      const id = msg.key.id;
      if (!id || this.seen.has(`${msg.key.remoteJid}/${id}`)) continue;
      remember(this.seen, `${msg.key.remoteJid}/${id}`, true);
      const pnForLid = new Map<string, string>();
      for (const lid of lidsToResolve(msg)) {
        const pn = await sock.signalRepository?.lidMapping?.getPNForLID(lid).catch(() => null);
        const normal = normalizeJid(pn);
        if (normal) pnForLid.set(lid, normal);
      }
      const result = readMessage(msg, { accountId: this.accountId, self: this.self, pnForLid });
      if ('unreadable' in result) {
        await this.quarantine.keep(msg, result.unreadable);
        continue;
      }
      if ('ignored' in result) {
        this.log.debug('whatsapp message skipped', { reason: result.ignored });
        continue;
      }
      const { envelope } = result;
      if ('unresolvedLid' in result && result.unresolvedLid)
        this.log.warn('no phone number known for a WhatsApp LID yet; using the LID as the sender id', { lid: result.unresolvedLid });
      if (envelope.kind !== 'message') {
        // Edits and reactions are never answered; the gateway does not record them yet either.
        this.log.debug('whatsapp edit/reaction not forwarded', { kind: envelope.kind });
        continue;
      }
      remember(this.recent, id, { msg, peerId: envelope.peer.id });
      this.lastMessageAt = Date.now();
      this.statusChanged();
      const withImage = envelope.sender.isSelf ? envelope : await this.withImage(sock, msg, envelope);
      await this.sink?.(withImage).catch((err: Error) =>
        this.log.error('the gateway did not take a whatsapp message', { error: err.message }),
      );
    }
  }

  /** Downloads an image message for the model at the socket seam (Baileys decrypts it). */
  private async withImage(sock: WaSocketLike, msg: WAMessage, envelope: InboundEnvelope): Promise<InboundEnvelope> {
    const image = unwrap(msg.message)?.imageMessage;
    const index = envelope.media?.findIndex((m) => m.kind === 'image') ?? -1;
    const download = sock.downloadMedia?.bind(sock);
    if (!image || index === -1 || !download) return envelope;
    const length = image.fileLength;
    const size =
      typeof length === 'number' ? length : length && typeof length === 'object' && 'toNumber' in length ? length.toNumber() : undefined;
    return deferImages(
      envelope,
      [
        {
          index,
          label: 'photo',
          placeholder: '[photo]',
          ...(size !== undefined ? { size } : {}),
          download: async (signal, maxBytes) => {
            try {
              return await download(msg, { maxBytes, signal });
            } catch (err) {
              throw err instanceof MediaTooLargeError ? new ImageTooLargeError(maxBytes, true) : err;
            }
          },
        },
      ],
      { ...DEFAULT_IMAGE_LIMITS, ...this.deps.media },
      this.abort.signal,
      (notes) => this.log.warn('WhatsApp photo not passed to the model', { reason: notes[0] }),
    );
  }

  private connectedSocket(): WaSocketLike {
    if (!this.sock || this.state !== 'connected')
      throw new Error(`WhatsApp account ${this.accountId} is not connected${this.reason ? `: ${this.reason}` : ''}`);
    return this.sock;
  }

  async send(message: OutboundMessage): Promise<void> {
    const sock = this.connectedSocket();
    const original = message.replyToMessageId ? this.recent.get(message.replyToMessageId) : undefined;
    const quoted = original?.peerId === message.peer.id ? original.msg : undefined;
    // Answer in the very chat the message came from (it may be addressed by LID).
    const jid = quoted?.key.remoteJid ?? peerToJid(message.peer);
    const chunks = chunkText(message.text, this.account.textChunkLimit ?? CHUNK_LIMITS.whatsapp);
    for (const [i, chunk] of chunks.entries()) {
      await sock.sendMessage(jid, { text: chunk }, i === 0 && quoted ? { quoted } : undefined);
    }
    await sock.sendPresenceUpdate('paused', jid).catch(() => undefined);
  }

  async setTyping(peer: PeerRef, on: boolean): Promise<void> {
    if (!this.sock || this.state !== 'connected') return;
    await this.sock.sendPresenceUpdate(on ? 'composing' : 'paused', peerToJid(peer));
  }

  status(): ChannelStatus {
    const { state, reason, lastError, lastMessageAt } = this;
    return accountStatus('whatsapp', this.accountId, { state, reason, lastError, lastMessageAt, unreadable: this.quarantine.unreadable });
  }

  async probe(): Promise<ProbeResult> {
    const identity = jidToE164(this.self.pn);
    if (this.state === 'connected') return { ok: true, ...(identity ? { identity } : {}) };
    return { ok: false, error: this.reason ?? this.lastError ?? `WhatsApp account ${this.accountId} is ${this.state}` };
  }
}

export function createWhatsAppAdapter(account: ChannelAccount, _config: SwitchboardConfig, deps: WhatsAppAdapterDeps): ChannelAdapter {
  return new WhatsAppAdapter(account, deps);
}
