// The `sessions.*` control methods: list an agent's sessions, page through a transcript, export
// one (JSONL + its index entry), rename one (a display title), search them, and delete one. Deletes go through the live session store, so the
// inbound journal records a tombstone and crash recovery never brings the session back; the
// images only that session referenced go with it (Gateway.deleteSession).
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { MAX_FRAME_BYTES_AFTER_AUTH } from '../../src-shared/protocol/frames.ts';
import { SESSION_TITLE_MAX, type ControlMethods } from '../../src-shared/protocol/methods.ts';
import type { Handlers } from '../control/service.ts';
import { redactText, redactValue } from '../secrets/redact.ts';
import { searchSessions, SessionNotFoundError, SessionTooLargeError } from '../sessions/index.ts';
import type { Gateway } from './gateway.ts';

type SessionMethods = Pick<
  ControlMethods,
  'sessions.list' | 'sessions.history' | 'sessions.export' | 'sessions.delete' | 'sessions.rename' | 'sessions.search'
>;

/** Transcript bytes one `sessions.search` reads at most (newest sessions first); older ones match on title and key only. */
export const SEARCH_MAX_BYTES = 128 * 1024 * 1024;
/** Matching sessions one `sessions.search` answers with when the caller names no limit. */
export const SEARCH_DEFAULT_LIMIT = 200;

/**
 * The largest export answered in one frame, measured as the JSON-encoded `jsonl` string (quotes
 * and newlines grow when escaped). The rest of the 8 MiB frame is headroom for the metadata and the envelope.
 */
export const EXPORT_MAX_ENCODED_BYTES = MAX_FRAME_BYTES_AFTER_AUTH - 64 * 1024;

export function sessionHandlers(gateway: Gateway, knownAgent: (agentId: string) => string): Handlers<SessionMethods> {
  const tooLarge = (agentId: string, key: string, file: string | undefined) =>
    new ControlError(
      'bad_request',
      `the session ${key} of agent "${agentId}" is too large to export through the control plane (over ${(EXPORT_MAX_ENCODED_BYTES / 1024 / 1024).toFixed(1)} MiB); ` +
        `copy its transcript file instead: ${file ?? "the .jsonl file in the agent's sessions folder"}`,
    );

  return {
    async 'sessions.list'({ agentId }) {
      const store = await gateway.storeFor(knownAgent(agentId));
      return {
        agentId,
        sessions: store.list().map((s) => ({
          key: s.key,
          sessionKey: s.sessionKey,
          sessionId: s.sessionId,
          created: s.created,
          updated: s.updated,
          messages: s.messages,
          inputTokens: s.inputTokens,
          outputTokens: s.outputTokens,
          archived: s.archived === true,
          ...(s.title ? { title: s.title } : {}),
          ...(s.parent ? { parent: s.parent } : {}),
        })),
      };
    },

    async 'sessions.history'({ agentId, sessionKey, before, limit }) {
      const store = await gateway.storeFor(knownAgent(agentId));
      try {
        const page = await store.history(sessionKey, { ...(before !== undefined ? { before } : {}), limit: limit ?? 100 });
        return { agentId, sessionKey, sessionId: page.sessionId, records: page.records, hasMore: page.hasMore };
      } catch (err) {
        if ((err as Error).name === 'SessionNotFoundError')
          throw new ControlError('not_found', `agent "${agentId}" has no session ${sessionKey}`);
        throw err;
      }
    },

    async 'sessions.export'({ agentId, sessionKey }) {
      const id = knownAgent(agentId);
      const store = await gateway.storeFor(id);
      let exported;
      try {
        // The raw file can only grow when encoded, so anything over the budget is refused unread.
        exported = await store.export(sessionKey, { maxBytes: EXPORT_MAX_ENCODED_BYTES });
      } catch (err) {
        if (err instanceof SessionNotFoundError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new ControlError('not_found', `agent "${id}" has no session ${sessionKey}`);
        }
        if (err instanceof SessionTooLargeError) throw tooLarge(id, sessionKey, err.file);
        throw err;
      }
      const jsonl = redactJsonl(exported.jsonl);
      if (Buffer.byteLength(JSON.stringify(jsonl)) > EXPORT_MAX_ENCODED_BYTES) throw tooLarge(id, sessionKey, store.fileOf(sessionKey));
      const { bytes, archived, lastRoute, title, ...entry } = exported.metadata;
      return {
        agentId: id,
        sessionKey,
        sessionId: entry.sessionId,
        jsonl,
        meta: {
          ...entry,
          bytes,
          archived: archived === true,
          ...(title !== undefined ? { title } : {}),
          ...(lastRoute ? { lastRoute } : {}),
        },
      };
    },

    async 'sessions.rename'({ agentId, sessionKey, title }) {
      const id = knownAgent(agentId);
      const store = await gateway.storeFor(id);
      const entry = store.get(sessionKey);
      if (!entry) throw new ControlError('not_found', `agent "${id}" has no session ${sessionKey}`);
      if (entry.archived)
        throw new ControlError(
          'bad_request',
          `the session ${sessionKey} is archived; only a live session can be renamed (its title is kept as it was)`,
        );
      const clean = title.replace(/\s+/g, ' ').trim();
      if ([...clean].length > SESSION_TITLE_MAX)
        throw new ControlError('bad_request', `title: ${[...clean].length} characters; a session title has at most ${SESSION_TITLE_MAX}`);
      // An empty title clears it: the list shows what the key says again.
      await store.update(sessionKey, { title: clean });
      return { agentId: id, sessionKey, title: clean === '' ? null : clean };
    },

    async 'sessions.search'({ agentId, query, limit }) {
      const id = knownAgent(agentId);
      const store = await gateway.storeFor(id);
      const targets = store.list().map((s) => ({ key: s.key, file: store.fileOf(s.key), ...(s.title ? { title: s.title } : {}) }));
      const found = await searchSessions(targets, query, { limit: limit ?? SEARCH_DEFAULT_LIMIT, maxBytes: SEARCH_MAX_BYTES });
      return { agentId: id, query, ...found };
    },

    async 'sessions.delete'({ agentId, sessionKey }) {
      return { deleted: await gateway.deleteSession(knownAgent(agentId), sessionKey) };
    },
  };
}

/**
 * Every record through the app's redaction point (as `sessions.history` records are), one line at
 * a time so the result is still one JSON object per line.
 */
function redactJsonl(jsonl: string): string {
  let out = '';
  let start = 0;
  while (start < jsonl.length) {
    let end = jsonl.indexOf('\n', start);
    if (end < 0) end = jsonl.length;
    const line = jsonl.slice(start, end);
    if (line !== '') {
      let redacted: string;
      try {
        redacted = JSON.stringify(redactValue(JSON.parse(line)));
      } catch {
        redacted = redactText(line);
      }
      out += `${redacted}\n`;
    }
    start = end + 1;
  }
  return out;
}
