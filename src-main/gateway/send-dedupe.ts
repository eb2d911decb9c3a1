// Idempotent `webchat.send`: a client names each send with its own key (`clientId`), and a retry
// with the same key (after a cut connection) is answered with the original message id instead of
// storing the message twice. Recent keys are kept per session in memory; after a restart the
// session's last records are searched instead (the inbound record stores its clientId).

/** clientIds remembered per session in memory. */
export const DEDUPE_PER_SESSION = 256;
/** Records of the session searched when a clientId is not in memory (e.g. after a restart). */
export const DEDUPE_SCAN_RECORDS = 200;

export type SendClaim = { duplicate: string } | { settle(messageId: string | null): void };

export class SendDedupe {
  // session → clientId → the message id it was stored under (null: that send was refused)
  private readonly sessions = new Map<string, Map<string, Promise<string | null>>>();

  /**
   * Claims `clientId` in `session`: either the message id an earlier send with that key was stored
   * under (waiting for one still in flight), or a claim to settle with this send's message id once
   * it is stored (null when it was refused, so a retry is stored anew). `scan` looks the key up in
   * the transcript.
   */
  async claim(session: string, clientId: string, scan: () => Promise<string | null>): Promise<SendClaim> {
    let ids = this.sessions.get(session);
    if (!ids) this.sessions.set(session, (ids = new Map()));
    const prior = ids.get(clientId);
    let settle!: (id: string | null) => void;
    const mine = new Promise<string | null>((resolve) => (settle = resolve));
    // Claimed before anything is awaited: a concurrent retry waits for this one.
    ids.delete(clientId);
    ids.set(clientId, mine);
    while (ids.size > DEDUPE_PER_SESSION) ids.delete(ids.keys().next().value!);
    const earlier = (prior ? await prior : null) ?? (await scan().catch(() => null));
    if (earlier) {
      settle(earlier);
      return { duplicate: earlier };
    }
    return {
      settle: (messageId) => {
        settle(messageId);
        if (messageId === null && ids.get(clientId) === mine) ids.delete(clientId);
      },
    };
  }
}
