// The ChannelStatus every adapter reports: its state plus whichever of reason, last error, time
// of the last message and count of unreadable inputs it has (absent fields are left out, not sent
// as undefined).
import type { ChannelId } from '../../src-shared/config/index.ts';
import type { ChannelState, ChannelStatus } from '../gateway/envelope.ts';

export interface AccountStatusFields {
  state: ChannelState;
  reason: string | undefined;
  lastError: string | undefined;
  lastMessageAt: number | undefined;
  /** Inputs the mapper could not read (quarantined and skipped); 0 is left out. */
  unreadable?: number;
}

export function accountStatus(channel: ChannelId, accountId: string, s: AccountStatusFields): ChannelStatus {
  return {
    channel,
    accountId,
    state: s.state,
    ...(s.reason ? { reason: s.reason } : {}),
    ...(s.lastError ? { lastError: s.lastError } : {}),
    ...(s.lastMessageAt !== undefined ? { lastMessageAt: s.lastMessageAt } : {}),
    ...(s.unreadable ? { unreadable: s.unreadable } : {}),
  };
}
