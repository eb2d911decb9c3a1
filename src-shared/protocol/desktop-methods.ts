// Methods only the desktop app answers (over its IPC bridge, never over a socket): its own
// preferences, which live in the app's prefs file, not in switchboard.json, and its updates
// (docs/desktop.md#updates). The dashboard shows them in Settings when it runs inside the app.
import { z } from 'zod';
import { defineEvent, defineMethod } from './contract.ts';

export const desktopPrefsSchema = z.object({
  startAtLogin: z.boolean(),
  /** False where the platform offers no login item the app can set (an unpackaged Linux run). */
  startAtLoginSupported: z.boolean(),
  startGatewayOnLaunch: z.boolean(),
  /** Opt-in loopback WebSocket + dashboard over http://127.0.0.1:<port> (never another address). */
  remoteAccess: z.object({ enabled: z.boolean(), port: z.number().int() }),
  theme: z.enum(['system', 'light', 'dark']),
  /** Check for updates at start and every few hours, download them in the background. */
  autoUpdate: z.boolean(),
});

/** Where the app's update stands (src-main/desktop/updates.ts). */
export const desktopUpdateSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('off'), reason: z.enum(['unsupported', 'disabled']) }),
  z.object({ phase: z.literal('idle') }),
  z.object({ phase: z.literal('checking') }),
  z.object({ phase: z.literal('up-to-date'), checkedAt: z.number() }),
  z.object({ phase: z.literal('downloading'), version: z.string(), percent: z.number() }),
  z.object({ phase: z.literal('ready'), version: z.string() }),
  z.object({ phase: z.literal('installing'), version: z.string() }),
  z.object({ phase: z.literal('error'), message: z.string(), at: z.number() }),
]);

export const DESKTOP_METHODS = {
  'desktop.prefs.get': defineMethod({ params: z.object({}).optional(), result: desktopPrefsSchema }),
  /** Changes the given preferences; the result is what is in force afterwards (remote access may have failed to open). */
  'desktop.prefs.set': defineMethod({
    params: z.strictObject({
      startAtLogin: z.boolean().optional(),
      startGatewayOnLaunch: z.boolean().optional(),
      remoteAccess: z.boolean().optional(),
      theme: z.enum(['system', 'light', 'dark']).optional(),
      autoUpdate: z.boolean().optional(),
    }),
    result: desktopPrefsSchema,
    mutating: true,
  }),
  'desktop.update.get': defineMethod({ params: z.object({}).optional(), result: desktopUpdateSchema }),
  /** Checks now (the pref must be on); the result is the state once the check has answered. */
  'desktop.update.check': defineMethod({ params: z.object({}).optional(), result: desktopUpdateSchema, mutating: true }),
  /**
   * Restarts into the downloaded update: the gateway stops first (running turns get their grace
   * period), then the installer runs. `restarting: false` when no update is ready.
   */
  'desktop.update.restart': defineMethod({
    params: z.object({}).optional(),
    result: z.object({ restarting: z.boolean() }),
    mutating: true,
  }),
};

/** Events only the desktop app sends to its dashboard. */
export const DESKTOP_EVENTS = {
  'desktop.update': defineEvent(desktopUpdateSchema),
};

export type DesktopMethods = typeof DESKTOP_METHODS;
export type DesktopEvents = typeof DESKTOP_EVENTS;
