// Linking a WhatsApp account: run a socket until the phone has scanned the QR and the connection
// opens, handing each rotating QR to the caller (the CLI renders it in the terminal, the control
// plane emits `channel.qr`). The gateway must not run this account's adapter meanwhile.
import { silentLogger, type Logger } from '../../log.ts';
import { openWhatsAppAuthState, type AuthKeyProvider } from './auth-store.ts';
import { jidToE164 } from './mapping.ts';
import {
  WA_CLOSE,
  baileysLogger,
  defaultSocketFactory,
  disconnectCode,
  type SocketFactory,
  type WaEvents,
  type WaSocketLike,
} from './socket.ts';

export interface LinkOptions {
  account: string;
  stateDir: string;
  keyProvider: AuthKeyProvider;
  socketFactory?: SocketFactory;
  onQr(qr: string): void;
  signal?: AbortSignal;
  /** Overall limit (default 5 minutes). */
  timeoutMs?: number;
  log?: Logger;
}

export interface LinkResult {
  accountId: string;
  /** The linked phone number (E.164), when Baileys reported it. */
  phone?: string;
  /** True when the account was linked already and no QR was needed. */
  alreadyLinked: boolean;
}

export class WhatsAppLinkError extends Error {
  constructor(
    readonly reason: 'logged_out' | 'replaced' | 'qr_expired' | 'timeout' | 'cancelled' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

/** How many ordinary closes (network blips) linking survives before giving up. */
const MAX_RETRIES = 3;

export async function linkWhatsAppAccount(opts: LinkOptions): Promise<LinkResult> {
  const { account } = opts;
  const log = opts.log ?? silentLogger;
  if (opts.signal?.aborted) throw new WhatsAppLinkError('cancelled', 'linking was cancelled');
  const auth = await openWhatsAppAuthState({ stateDir: opts.stateDir, accountId: account, keyProvider: opts.keyProvider });
  const alreadyLinked = Boolean(auth.state.creds.me);
  const factory = opts.socketFactory ?? defaultSocketFactory;
  let sock: WaSocketLike | undefined;
  let detach = () => {};
  let saving: Promise<void> = Promise.resolve();
  let retries = 0;
  // 408 means "QR codes ran out" only once a QR was shown; before that it is a network timeout.
  let qrShown = false;
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};

  const endSocket = () => {
    detach();
    detach = () => {};
    const old = sock;
    sock = undefined;
    try {
      old?.end(undefined);
    } catch {
      // Already closed: nothing to end.
    }
  };

  try {
    return await new Promise<LinkResult>((resolve, reject) => {
      const fail = (err: WhatsAppLinkError) => {
        endSocket();
        reject(err);
      };
      timer = setTimeout(
        () => fail(new WhatsAppLinkError('timeout', `timed out waiting for WhatsApp account ${account} to be linked`)),
        opts.timeoutMs ?? 300_000,
      );
      onAbort = () => fail(new WhatsAppLinkError('cancelled', 'linking was cancelled'));
      opts.signal?.addEventListener('abort', onAbort, { once: true });

      const open = async () => {
        endSocket();
        let next: WaSocketLike;
        try {
          next = await factory({ auth: auth.state, logger: baileysLogger(log, { accountId: account, linking: 'yes' }) });
        } catch (err) {
          return fail(new WhatsAppLinkError('failed', `could not start WhatsApp: ${(err as Error).message}`));
        }
        sock = next;
        const onCreds = (u: WaEvents['creds.update']) => {
          Object.assign(auth.state.creds, u);
          saving = saving.then(() => auth.saveCreds());
        };
        const onConnection = (u: WaEvents['connection.update']) => {
          if (sock !== next) return;
          if (u.qr) {
            qrShown = true;
            opts.onQr(u.qr);
          }
          if (u.connection === 'open') {
            const phone = jidToE164(next.user?.id ?? auth.state.creds.me?.id);
            endSocket();
            void saving
              .then(() => auth.saveCreds())
              .then(
                () => resolve({ accountId: account, alreadyLinked, ...(phone ? { phone } : {}) }),
                (err: Error) => fail(new WhatsAppLinkError('failed', `linked, but the link state could not be saved: ${err.message}`)),
              );
          } else if (u.connection === 'close') {
            const code = disconnectCode(u);
            if (code === WA_CLOSE.loggedOut) {
              void auth
                .clear()
                .finally(() =>
                  fail(
                    new WhatsAppLinkError(
                      'logged_out',
                      `WhatsApp refused the link for account ${account} (logged out); try again with a fresh QR code`,
                    ),
                  ),
                );
            } else if (code === WA_CLOSE.connectionReplaced) {
              fail(new WhatsAppLinkError('replaced', 'another WhatsApp Web session replaced this one'));
            } else if (code === WA_CLOSE.timedOut && qrShown && !auth.state.creds.me) {
              fail(new WhatsAppLinkError('qr_expired', 'the QR code expired without being scanned; run the login again'));
            } else if (code === WA_CLOSE.restartRequired || retries++ < MAX_RETRIES) {
              // After the scan WhatsApp asks for a restart (515); the new socket then opens.
              void open();
            } else {
              fail(
                new WhatsAppLinkError(
                  'failed',
                  `WhatsApp closed the connection while linking: ${u.lastDisconnect?.error?.message ?? 'unknown error'}${code ? ` (${code})` : ''}`,
                ),
              );
            }
          }
        };
        next.ev.on('creds.update', onCreds);
        next.ev.on('connection.update', onConnection);
        detach = () => {
          next.ev.off('creds.update', onCreds);
          next.ev.off('connection.update', onConnection);
        };
      };
      void open();
    });
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    await saving.catch(() => undefined);
  }
}

/** A QR code as terminal text (small: two rows per character), for `switchboard channels login`. */
export async function renderQrForTerminal(qr: string): Promise<string> {
  // Loaded on use, like Baileys: commands that never link should not pay for it.
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(qr, { type: 'terminal', small: true });
}
