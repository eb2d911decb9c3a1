// What the account dialogs share: the config hash their change is based on (read when they open,
// so an edit made meanwhile elsewhere comes back as "changed since" instead of being overwritten),
// telling a stale hash from other errors, and re-reading the page once a change is saved.
import { useCallback, useEffect, useState } from 'react';
import { isControlError } from '../../../src-shared/protocol/errors.ts';
import { useConfig, type ConfigSnapshot } from '../../store/config.ts';
import { useGateway } from '../../store/gateway.ts';

/** Channels an account can be added to here. Slack goes in this list once its connector exists. */
export const ADDABLE = [
  {
    channel: 'telegram',
    label: 'Telegram',
    tokenLabel: 'Bot token',
    placeholder: '123456789:AA…',
    where: '@BotFather → /newbot (or /mybots → API Token)',
  },
  {
    channel: 'discord',
    label: 'Discord',
    tokenLabel: 'Bot token',
    placeholder: 'MTA…',
    where: 'Discord Developer Portal → your application → Bot → Reset Token',
  },
  { channel: 'whatsapp', label: 'WhatsApp', tokenLabel: '', placeholder: '', where: '' },
] as const;
export type AddableChannel = (typeof ADDABLE)[number]['channel'];

/** The config as the dialog opened it; `reload` re-reads it (after "changed since"). */
export function useConfigBase(): { snapshot: ConfigSnapshot | undefined; error: string | undefined; reload: () => Promise<void> } {
  const [snapshot, setSnapshot] = useState<ConfigSnapshot>();
  const [error, setError] = useState<string>();
  const reload = useCallback(async () => {
    setError(undefined);
    const s = await useConfig.getState().load();
    if (s) setSnapshot(s);
    else setError(useConfig.getState().error ?? 'the gateway did not answer');
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { snapshot, error, reload };
}

/** Whether a failed change failed because the config file changed since the dialog read it. */
export function isStale(err: unknown): boolean {
  return isControlError(err) && err.code === 'conflict' && /changed since/.test(err.message);
}

/** After a saved change: the accounts, their agents and the config are read again. */
export async function afterChange(): Promise<void> {
  await Promise.all([useGateway.getState().refresh(), useConfig.getState().load()]);
}
