// Path building for the session store. Every file name comes from a validated agent id and a
// random session id (never from a session key), and every result is checked to stay inside the
// agent's own `<stateDir>/agents/<agentId>/sessions/` folder (docs/agents.md#isolation).
import path from 'node:path';

export const AGENT_ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
// crypto.randomUUID() ids; kept a little lenient (no dots, no separators) for hand-made files.
export const SESSION_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
export const INDEX_FILE = 'sessions.json';
export const TRANSCRIPT_EXT = '.jsonl';
export const CORRUPT_SUFFIX = '.corrupt';

export class SessionPathError extends Error {
  override name = 'SessionPathError';
}

export function assertAgentId(agentId: string): void {
  if (typeof agentId !== 'string' || !AGENT_ID_RE.test(agentId)) {
    throw new SessionPathError(`invalid agent id ${JSON.stringify(agentId)}: expected ${AGENT_ID_RE.source}`);
  }
}

export function isSessionId(id: unknown): id is string {
  return typeof id === 'string' && SESSION_ID_RE.test(id);
}

/** True when `p` is `dir` itself or lies below it (after resolving `..` segments). */
export function isInside(dir: string, p: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(p));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function agentSessionsDir(stateDir: string, agentId: string): string {
  assertAgentId(agentId);
  const agentsRoot = path.join(path.resolve(stateDir), 'agents');
  const dir = path.join(agentsRoot, agentId, 'sessions');
  if (!isInside(agentsRoot, dir)) throw new SessionPathError(`agent folder escapes the state dir: ${dir}`);
  return dir;
}

function inside(dir: string, name: string): string {
  const p = path.join(dir, name);
  if (path.dirname(p) !== dir || !isInside(dir, p)) {
    throw new SessionPathError(`refusing path outside ${dir}: ${p}`);
  }
  return p;
}

export function transcriptPath(dir: string, sessionId: string): string {
  if (!isSessionId(sessionId)) throw new SessionPathError(`invalid session id ${JSON.stringify(sessionId)}`);
  return inside(dir, sessionId + TRANSCRIPT_EXT);
}

export function corruptPathFor(transcript: string): string {
  return transcript + CORRUPT_SUFFIX;
}

export function indexPath(dir: string): string {
  return inside(dir, INDEX_FILE);
}

/** `sessions.json.corrupt-<ts>`; the timestamp avoids ':' so the name is valid on Windows too. */
export function corruptIndexPath(dir: string, at = new Date()): string {
  return inside(dir, `${INDEX_FILE}.corrupt-${at.toISOString().replace(/[:.]/g, '-')}`);
}

/** The session id of a transcript file name, or null for anything else in the folder. */
export function sessionIdFromFileName(name: string): string | null {
  if (!name.endsWith(TRANSCRIPT_EXT)) return null;
  const id = name.slice(0, -TRANSCRIPT_EXT.length);
  return isSessionId(id) ? id : null;
}
