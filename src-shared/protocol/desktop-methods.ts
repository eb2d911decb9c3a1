// Methods only the desktop app answers (over its IPC bridge, never over a socket): its own
// preferences, which live in the app's prefs file, not in switchboard.json. The dashboard shows
// them in Settings when it runs inside the app.
import { z } from 'zod';
import { defineMethod } from './contract.ts';

export const desktopPrefsSchema = z.object({
  startAtLogin: z.boolean(),
  /** False where the platform offers no login item the app can set (an unpackaged Linux run). */
  startAtLoginSupported: z.boolean(),
  startGatewayOnLaunch: z.boolean(),
  /** Opt-in loopback WebSocket + dashboard over http://127.0.0.1:<port> (never another address). */
  remoteAccess: z.object({ enabled: z.boolean(), port: z.number().int() }),
  theme: z.enum(['system', 'light', 'dark']),
});

export const DESKTOP_METHODS = {
  'desktop.prefs.get': defineMethod({ params: z.object({}).optional(), result: desktopPrefsSchema }),
  /** Changes the given preferences; the result is what is in force afterwards (remote access may have failed to open). */
  'desktop.prefs.set': defineMethod({
    params: z.strictObject({
      startAtLogin: z.boolean().optional(),
      startGatewayOnLaunch: z.boolean().optional(),
      remoteAccess: z.boolean().optional(),
      theme: z.enum(['system', 'light', 'dark']).optional(),
    }),
    result: desktopPrefsSchema,
    mutating: true,
  }),
};

export type DesktopMethods = typeof DESKTOP_METHODS;
