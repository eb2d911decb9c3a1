// The seam between our WhatsApp code and Baileys: the small part of its socket we use, and the
// default factory that loads Baileys lazily and builds the real socket. Tests plug in a fake here.
import type { Agent as HttpsAgent } from 'node:https';
import type { AuthenticationState, BaileysEventMap, SocketConfig, WAMessage } from '@whiskeysockets/baileys';
import { createLogger, type Logger } from '../../log.ts';
import { proxyDispatcherFor, tunnelAgentFor } from '../../net/agents.ts';
import { proxyFor } from '../../net/proxy.ts';

export type WaEvents = Pick<BaileysEventMap, 'connection.update' | 'creds.update' | 'messages.upsert'>;

export interface WaSocketLike {
  ev: {
    on<E extends keyof WaEvents>(event: E, listener: (arg: WaEvents[E]) => void): void;
    off<E extends keyof WaEvents>(event: E, listener: (arg: WaEvents[E]) => void): void;
  };
  /** This account (`id` = phone JID with device, `lid` = its LID) once connected. */
  user?: { id: string; lid?: string | undefined } | undefined;
  sendMessage(jid: string, content: { text: string }, options?: { quoted?: WAMessage }): Promise<unknown>;
  sendPresenceUpdate(type: 'composing' | 'paused' | 'available' | 'unavailable', toJid?: string): Promise<void>;
  end(error: Error | undefined): void;
  /** Baileys' LID ↔ phone-number store (rc versions). */
  signalRepository?: { lidMapping?: { getPNForLID(lid: string): Promise<string | null> } };
  /**
   * The decrypted bytes of a media message (Baileys' downloadMediaMessage, through the socket's
   * proxy settings), refusing more than `maxBytes`. Absent: images stay placeholders.
   */
  downloadMedia?(msg: WAMessage, opts: { maxBytes: number; signal: AbortSignal }): Promise<Buffer>;
}

/** Thrown by `downloadMedia` when the media grows past the cap. */
export class MediaTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`media larger than the cap (${bytes} bytes read)`);
  }
}

/** A Baileys-compatible logger (pino's method shape). */
export interface WaLogger {
  level: string;
  child(bindings: Record<string, unknown>): WaLogger;
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export type SocketFactory = (opts: { auth: AuthenticationState; logger: WaLogger }) => WaSocketLike | Promise<WaSocketLike>;

/**
 * Baileys' chatter through our Logger, warn level and up only (Baileys is very verbose below
 * that). Only the message and an error text are kept: Baileys' objects can hold key material.
 */
export function baileysLogger(sink: Logger, bindings: Record<string, unknown> = {}): WaLogger {
  const log = createLogger('whatsapp.baileys', sink, bindings);
  const forward = (level: 'warn' | 'error') => (obj: unknown, msg?: string) => {
    const text = typeof obj === 'string' ? obj : (msg ?? 'baileys');
    const err = obj instanceof Error ? obj : (obj as { err?: unknown } | null)?.err;
    log.log(level, `whatsapp: ${text}`, err instanceof Error ? { error: err.message } : {});
  };
  const ignore = () => undefined;
  return {
    level: 'warn',
    child: (more) => baileysLogger(log, pickStrings(more)),
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: forward('warn'),
    error: forward('error'),
  };
}

function pickStrings(obj: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

/** Where Baileys connects (its default `waWebSocketUrl`) and a media host, for the proxy rules. */
export const WA_SOCKET_URL = 'wss://web.whatsapp.com/ws/chat';
export const WA_MEDIA_URL = 'https://mmg.whatsapp.net/';

export type WaNetworkOptions = Partial<Pick<SocketConfig, 'agent' | 'fetchAgent' | 'options'>>;

/**
 * Baileys' proxy options for `env`: `agent` tunnels the WebSocket (ws takes a node:http agent),
 * `fetchAgent` the media uploads (node:https), `options.dispatcher` its fetch calls (media
 * downloads, profile pictures). Empty when no proxy applies.
 */
export async function whatsAppNetworkOptions(env: NodeJS.ProcessEnv): Promise<WaNetworkOptions> {
  const out: WaNetworkOptions = {};
  const socketProxy = proxyFor(WA_SOCKET_URL, env);
  // https-proxy-agent is an http.Agent that speaks TLS after CONNECT; Baileys types it as https.Agent.
  if (socketProxy) out.agent = (await tunnelAgentFor(socketProxy, 'whatsapp')) as unknown as HttpsAgent;
  const mediaProxy = proxyFor(WA_MEDIA_URL, env);
  if (mediaProxy) {
    out.fetchAgent = (await tunnelAgentFor(mediaProxy, 'whatsapp')) as unknown as HttpsAgent;
    // Our undici (6) types its dispatcher apart from the global fetch's (Node 24 bundles undici 7).
    out.options = { dispatcher: await proxyDispatcherFor(mediaProxy) } as unknown as RequestInit;
  }
  return out;
}

/** The real socket: Baileys loaded on first use, QR codes left to the app (never printed). */
export function socketFactoryFor(env: NodeJS.ProcessEnv): SocketFactory {
  return async ({ auth, logger }) => {
    const network = await whatsAppNetworkOptions(env);
    const { makeWASocket, Browsers, downloadMediaMessage } = await import('@whiskeysockets/baileys');
    const sock = makeWASocket({
      auth,
      logger,
      browser: Browsers.appropriate('Switchboard'),
      markOnlineOnConnect: false,
      syncFullHistory: false,
      ...network,
    });
    const downloadMedia: WaSocketLike['downloadMedia'] = async (msg, { maxBytes, signal }) => {
      // A stream, so a file bigger than announced is cut off at the cap instead of buffered whole.
      const stream = await downloadMediaMessage(
        msg,
        'stream',
        { options: { ...network.options, signal } as RequestInit },
        { logger, reuploadRequest: sock.updateMediaMessage },
      );
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of stream) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          stream.destroy();
          throw new MediaTooLargeError(size);
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks);
    };
    const seam: WaSocketLike = Object.assign(sock, { downloadMedia });
    return seam;
  };
}

/** The real socket with the proxy settings of this process's environment (the CLI's link flow). */
export const defaultSocketFactory: SocketFactory = (opts) => socketFactoryFor(process.env)(opts);

/** The status code of a `connection: 'close'` (Baileys attaches a Boom with `output.statusCode`). */
export function disconnectCode(update: WaEvents['connection.update']): number | undefined {
  const err = update.lastDisconnect?.error as { output?: { statusCode?: unknown }; statusCode?: unknown } | undefined;
  const code = err?.output?.statusCode ?? err?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Baileys' DisconnectReason values we act on (a runtime import would load Baileys eagerly). */
export const WA_CLOSE = { loggedOut: 401, forbidden: 403, timedOut: 408, connectionReplaced: 440, restartRequired: 515 } as const;
