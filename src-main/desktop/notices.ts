// Which control-plane events deserve a native notification: only errors the user has to fix
// (a rejected bot token, a WhatsApp account logged out, the gateway failing), once per problem.
// Reconnect attempts, QR codes the user asked for, and routine stops stay in the dashboard.
import { channelLabel, truncate } from './tray-state.ts';

export interface Notice {
  title: string;
  body: string;
  /** Dashboard view to open when the notification is clicked. */
  view: string;
}

const USER_MUST_ACT_WHEN_STOPPED = /logged out|replaced/i;

export class NoticePolicy {
  /** Subject (gateway, channel:account) → the problem last notified, so it is said once. */
  private readonly said = new Map<string, string>();

  consider(event: string, data: unknown): Notice | undefined {
    const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    if (event === 'gateway.state') {
      if (d.state !== 'error') {
        if (d.state === 'running') this.said.delete('gateway');
        return undefined;
      }
      const reason = typeof d.reason === 'string' ? d.reason : 'unknown error';
      return this.once('gateway', reason, {
        title: 'Switchboard gateway stopped with an error',
        body: truncate(reason, 240),
        view: '#/overview',
      });
    }
    if (event === 'channel.state') {
      if (typeof d.channel !== 'string' || typeof d.accountId !== 'string') return undefined;
      const subject = `${d.channel}:${d.accountId}`;
      const label = channelLabel({ channel: d.channel, accountId: d.accountId });
      const reason = typeof d.reason === 'string' ? d.reason : undefined;
      if (d.state === 'connected') {
        this.said.delete(subject);
        return undefined;
      }
      if (d.state === 'error') {
        return this.once(subject, reason ?? 'error', {
          title: `${label} stopped`,
          body: truncate(reason ?? 'The account stopped after an error. Open the dashboard for details.', 240),
          view: '#/channels',
        });
      }
      if (d.state === 'stopped' && reason && USER_MUST_ACT_WHEN_STOPPED.test(reason)) {
        return this.once(subject, reason, {
          title: /logged out/i.test(reason) ? `${label} was logged out` : `${label} was disconnected`,
          body: truncate(reason, 240),
          view: '#/channels',
        });
      }
    }
    return undefined;
  }

  private once(subject: string, problem: string, notice: Notice): Notice | undefined {
    if (this.said.get(subject) === problem) return undefined;
    this.said.set(subject, problem);
    return notice;
  }
}
