// The binding editor's model, kept pure so it is tested without a DOM: the explicit `bindings`
// list as written, moved and edited as a draft, and what the shared config checker and shadow
// check make of that draft (each problem mapped to its row and field, with its config path).
import {
  CHANNELS,
  DEFAULT_ACCOUNT_ID,
  bindingTier,
  findShadowedBindings,
  formatPath,
  normalizePeerKind,
  type Binding,
  type ChannelId,
  type ConfigCheck,
  type ConfigIssue,
  type RawBinding,
  type SwitchboardConfig,
  type Tier,
} from '../../../src-shared/config/index.ts';
import { IssueCollector } from '../../../src-shared/config/collector.ts';
import { normalizeBinding } from '../../../src-shared/config/normalize.ts';
import { checkDraft } from '../../store/config.ts';
import { humanizeIssue, type HumanIssue } from '../../ui/issue-words.ts';

export type { RawBinding };

/** A row of the explicit list; `key` stays with the binding while it moves. */
export interface DraftRow {
  key: string;
  binding: RawBinding;
}

/** The part of a binding a problem is about, so the editor can put it on the right field. */
export type BindingField = 'binding' | 'agentId' | 'channel' | 'accountId' | 'peer' | 'guildId' | 'roles' | 'teamId' | 'comment';

export interface RowIssue {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  /** Config path as the CLI and the gateway print it: `bindings[2].match.roles`. */
  path: string;
  field: BindingField;
  /** The problem in the user's words, with where to fix it (ui/issue-words.ts). */
  human: HumanIssue;
}

/** A `channels.<ch>.agent` shorthand: a channel-wide binding after the explicit list, read-only here. */
export interface ShorthandRow {
  index: number;
  channel: ChannelId;
  agentId: string;
  issues: RowIssue[];
}

export interface DraftAnalysis {
  check: ConfigCheck;
  /** The normalised draft when it has no errors (what the tester and the gateway would run). */
  config: SwitchboardConfig | undefined;
  rows: RowIssue[][];
  shorthands: ShorthandRow[];
  /** Combined-list index of a shadowed binding → index of the binding that shadows it. */
  shadowedBy: Map<number, number>;
  /** Errors outside the bindings: they block saving but are not this editor's to fix. */
  otherErrors: ConfigIssue[];
  errorCount: number;
}

/** Moves `rows[from]` into the gap `insertAt` (0 = before the first row, length = after the last). */
export function moveToGap<T>(rows: readonly T[], from: number, insertAt: number): T[] {
  if (from < 0 || from >= rows.length || insertAt < 0 || insertAt > rows.length) return rows.slice();
  const to = insertAt > from ? insertAt - 1 : insertAt;
  if (to === from) return rows.slice();
  const next = rows.slice();
  const [moved] = next.splice(from, 1);
  next.splice(to, 0, moved!);
  return next;
}

/** Moves `rows[index]` one place up (-1) or down (+1); unchanged at the ends. */
export function moveBy<T>(rows: readonly T[], index: number, delta: -1 | 1): T[] {
  const to = index + delta;
  if (to < 0 || to >= rows.length) return rows.slice();
  return moveToGap(rows, index, delta < 0 ? to : to + 1);
}

export function sameBindings(a: readonly DraftRow[], b: readonly DraftRow[]): boolean {
  return a.length === b.length && JSON.stringify(a.map((r) => r.binding)) === JSON.stringify(b.map((r) => r.binding));
}

/** The raw config with the draft as its explicit list. */
export function draftConfig(raw: Record<string, unknown>, rows: readonly DraftRow[]): Record<string, unknown> {
  return { ...raw, bindings: rows.map((r) => r.binding) };
}

function fieldOf(rest: readonly (string | number)[]): BindingField {
  if (rest[0] === 'agentId') return 'agentId';
  if (rest[0] === 'comment') return 'comment';
  if (rest[0] === 'match') {
    switch (rest[1]) {
      case 'channel':
        return 'channel';
      case 'accountId':
        return 'accountId';
      case 'peer':
        return 'peer';
      case 'guildId':
        return 'guildId';
      case 'roles':
        return 'roles';
      case 'teamId':
        return 'teamId';
    }
  }
  return 'binding';
}

function rowIssue(issue: ConfigIssue, field: BindingField, config: Record<string, unknown>): RowIssue {
  return {
    severity: issue.severity,
    code: issue.code,
    message: issue.message,
    path: formatPath(issue.path),
    field,
    human: humanizeIssue(issue, config, 'own-row'),
  };
}

/** The shorthand bindings, as normalizeConfig derives them (kept in step with its channel order). */
function shorthandsOf(raw: Record<string, unknown>, first: number): ShorthandRow[] {
  const channels = raw.channels;
  const out: ShorthandRow[] = [];
  if (typeof channels !== 'object' || channels === null) return out;
  for (const channel of CHANNELS) {
    const block = (channels as Record<string, unknown>)[channel];
    const agent = typeof block === 'object' && block !== null ? (block as Record<string, unknown>).agent : undefined;
    if (typeof agent === 'string') out.push({ index: first + out.length, channel, agentId: agent.trim().toLowerCase(), issues: [] });
  }
  return out;
}

/** Normalised bindings of the draft even when it has errors (rows that do not normalise are left out). */
function normalisedBindings(rows: readonly DraftRow[], shorthands: readonly ShorthandRow[]): Binding[] {
  const out = new IssueCollector();
  const list: Binding[] = [];
  rows.forEach((row, i) => {
    try {
      const b = normalizeBinding(row.binding, i, 'bindings', ['bindings', i], out);
      if (b) list.push(b);
    } catch {
      // A row the schema would refuse (missing match, …): the checker reports it.
    }
  });
  for (const s of shorthands)
    list.push({ index: s.index, source: 'shorthand', agentId: s.agentId, match: { channel: s.channel, accountId: '*' } });
  return list;
}

/** Checks the draft with the shared checker and maps every binding problem to its row and field. */
export function analyzeDraft(raw: Record<string, unknown>, rows: readonly DraftRow[]): DraftAnalysis {
  const drafted = draftConfig(raw, rows);
  const check = checkDraft(drafted);
  const rowIssues: RowIssue[][] = rows.map(() => []);
  const shorthands = shorthandsOf(raw, rows.length);
  const otherErrors: ConfigIssue[] = [];
  for (const issue of check.issues) {
    const [head, second, third] = issue.path;
    if (head === 'bindings' && typeof second === 'number' && rowIssues[second]) {
      rowIssues[second].push(rowIssue(issue, fieldOf(issue.path.slice(2)), drafted));
    } else if (head === 'channels' && third === 'agent' && shorthands.some((s) => s.channel === second)) {
      shorthands.find((s) => s.channel === second)!.issues.push(rowIssue(issue, 'agentId', drafted));
    } else if (issue.severity === 'error') {
      otherErrors.push(issue);
    }
  }
  const bindings = check.config?.bindings ?? normalisedBindings(rows, shorthands);
  const shadowedBy = new Map<number, number>();
  for (const { shadowed, by } of findShadowedBindings(bindings)) shadowedBy.set(shadowed.index, by.index);
  return {
    check,
    config: check.config,
    rows: rowIssues,
    shorthands,
    shadowedBy,
    otherErrors,
    errorCount: check.issues.filter((i) => i.severity === 'error').length,
  };
}

const idText = (v: string | number | undefined): string | undefined => (v === undefined ? undefined : String(v).trim());

/** The routing tier a row belongs to, computed from what is written (works for rows with errors too). */
export function rowTier(b: RawBinding): Tier {
  const m = b.match;
  const account = idText(m.accountId)?.toLowerCase() || DEFAULT_ACCOUNT_ID;
  return bindingTier({
    index: 0,
    source: 'bindings',
    agentId: b.agentId,
    match: {
      channel: m.channel as ChannelId,
      accountId: account,
      ...(m.peer ? { peer: { kind: normalizePeerKind(m.peer.kind) ?? 'direct', id: String(m.peer.id).trim() } } : {}),
      ...(m.guildId !== undefined ? { guildId: String(m.guildId) } : {}),
      ...(m.roles && m.roles.length > 0 ? { roles: m.roles.map(String) } : {}),
      ...(m.teamId !== undefined ? { teamId: String(m.teamId) } : {}),
    },
  });
}

// ── The add/edit form ────────────────────────────────────────────────────────────────────────

export type PeerKindChoice = '' | 'direct' | 'group' | 'channel';

export interface BindingForm {
  agentId: string;
  channel: string;
  /** `default`, `*` (every account) or an account id. */
  accountId: string;
  /** '' = no peer; an unknown kind written in the file is kept so the checker can name it. */
  peerKind: string;
  peerId: string;
  guildId: string;
  /** Comma- or space-separated role ids. */
  roles: string;
  teamId: string;
  comment: string;
}

export function formOf(b: RawBinding): BindingForm {
  const m = b.match;
  return {
    agentId: b.agentId,
    channel: m.channel,
    accountId: idText(m.accountId)?.toLowerCase() || DEFAULT_ACCOUNT_ID,
    peerKind: m.peer ? (normalizePeerKind(m.peer.kind) ?? m.peer.kind) : '',
    peerId: m.peer ? String(m.peer.id) : '',
    guildId: m.guildId !== undefined ? String(m.guildId) : '',
    roles: (m.roles ?? []).map(String).join(', '),
    teamId: m.teamId !== undefined ? String(m.teamId) : '',
    comment: b.comment ?? '',
  };
}

export function splitIds(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Keeps an id as it was written (a number stays a number) when the user did not change it. */
function keepId(text: string, original: string | number | undefined): string | number {
  return original !== undefined && String(original).trim() === text ? original : text;
}

/** The binding a form describes; `original` keeps how unchanged parts were written. */
export function bindingOf(form: BindingForm, original?: RawBinding): RawBinding {
  const om = original?.match;
  const match: RawBinding['match'] = { channel: form.channel.trim() };
  const account = form.accountId.trim();
  // A binding written without accountId means the default account: keep it unwritten.
  if (!(account === DEFAULT_ACCOUNT_ID && original && om?.accountId === undefined)) match.accountId = keepId(account, om?.accountId);
  if (form.peerKind !== '') {
    match.peer = { kind: form.peerKind, id: keepId(form.peerId.trim(), om?.peer?.id) };
  }
  if (form.guildId.trim() !== '') match.guildId = keepId(form.guildId.trim(), om?.guildId);
  const roles = splitIds(form.roles);
  if (roles.length > 0)
    match.roles = roles.map((r) =>
      keepId(
        r,
        om?.roles?.find((o) => String(o).trim() === r),
      ),
    );
  if (form.teamId.trim() !== '') match.teamId = keepId(form.teamId.trim(), om?.teamId);
  const comment = form.comment.trim();
  return { agentId: form.agentId.trim(), match, ...(comment ? { comment } : {}) };
}

// ── The route tester ─────────────────────────────────────────────────────────────────────────

export interface TesterInput {
  channel: string;
  accountId: string;
  peerKind: PeerKindChoice;
  peerId: string;
  parentKind: PeerKindChoice;
  parentId: string;
  guildId: string;
  roles: string;
  teamId: string;
}

export const EMPTY_TESTER: TesterInput = {
  channel: 'telegram',
  accountId: '',
  peerKind: 'direct',
  peerId: '',
  parentKind: '',
  parentId: '',
  guildId: '',
  roles: '',
  teamId: '',
};

/** The router's input for a tester form (the router normalises it: trimming, lower-casing, `default`). */
export function inboundOf(t: TesterInput) {
  const roles = splitIds(t.roles);
  return {
    channel: t.channel,
    accountId: t.accountId,
    peer: t.peerKind ? { kind: t.peerKind, id: t.peerId } : null,
    parentPeer: t.parentKind && t.parentId.trim() ? { kind: t.parentKind, id: t.parentId } : null,
    guildId: t.guildId,
    memberRoleIds: roles.length > 0 ? roles : null,
    teamId: t.teamId,
  };
}
