// The config as written (secrets redacted by the gateway) plus what the shared checker makes of it,
// so editors can show the exact config error of a draft before anything is sent, and the route
// tester can run the real router on an unsaved draft. Saving always goes through the gateway with
// the hash this copy was read at: a conflicting edit elsewhere comes back as `conflict`.
import { create } from 'zustand';
import { checkConfigValue, expandIncludes, type ConfigCheck } from '../../src-shared/config/index.ts';
import { errorText, type GatewayClient, type Result } from '../gateway/client.ts';
import { useGateway } from './gateway.ts';

export type ConfigSnapshot = Result<'config.get'>;

export interface ConfigStore {
  snapshot: ConfigSnapshot | undefined;
  /** The shared checker's view of `snapshot.raw` (no on-disk rules: the gateway adds those). */
  check: ConfigCheck | undefined;
  loading: boolean;
  error: string | undefined;
  load(): Promise<ConfigSnapshot | undefined>;
}

let subscribedTo: GatewayClient | undefined;

export const useConfig = create<ConfigStore>()((set, get) => ({
  snapshot: undefined,
  check: undefined,
  loading: false,
  error: undefined,
  async load() {
    const client = useGateway.getState().client;
    if (!client) return undefined;
    if (subscribedTo !== client) {
      subscribedTo = client;
      // Someone (the CLI, an editor, another dashboard) changed the file: re-read it.
      client.on('config.changed', () => void get().load());
    }
    set({ loading: true });
    try {
      const snapshot = await client.request('config.get');
      set({
        snapshot,
        check: snapshot.raw ? checkDraft(snapshot.raw, snapshot) : undefined,
        loading: false,
        error: undefined,
      });
      return snapshot;
    } catch (err) {
      set({ loading: false, error: errorText(err) });
      return undefined;
    }
  },
}));

/** A deep copy of the raw config to edit; never mutate the snapshot itself. */
export function draftOf(snapshot: ConfigSnapshot): Record<string, unknown> {
  return structuredClone(snapshot.raw ?? {});
}

/**
 * The shared checker's verdict on a draft of the main file, with its `$include` sites expanded to
 * what the gateway read from the included files (the renderer cannot read them itself), so a
 * config split over files is checked as the gateway will see it.
 */
export function checkDraft(raw: unknown, snapshot: ConfigSnapshot | undefined = useConfig.getState().snapshot): ConfigCheck {
  const includes = snapshot?.includes ?? [];
  return checkConfigValue(includes.length > 0 ? expandIncludes(raw, includes) : structuredClone(raw));
}
