// Config problems in the user's words: an issue from the shared checker (code + config path +
// message) and the config it was found in become one sentence about the thing the user knows (a
// binding, an agent, a channel account) and, where there is one, a "Fix" target: the page and the
// field to open. The config path stays available as a secondary detail (docs/dashboard.md).
import type { ConfigIssue } from '../../src-shared/config/index.ts';
import { formatPath } from '../../src-shared/config/index.ts';
import { routeHash } from '../store/nav.ts';
import { channelName } from './format.ts';

/** Where "Fix" goes: a route (`#/channels/add/telegram/default`) and, when known, the field to focus. */
export interface FixTarget {
  label: string;
  hash: string;
  field?: string;
}

export interface HumanIssue {
  severity: 'error' | 'warning';
  code: string;
  text: string;
  fix?: FixTarget;
  /** The config path, as the CLI prints it: shown small, for whoever edits the file by hand. */
  path: string;
}

type IssueInput = Pick<ConfigIssue, 'severity' | 'code' | 'message' | 'path'>;

/**
 * Where the sentence is shown: on the binding's own row or field (`own-row`: no "Binding n:" in
 * front, the row says which) or anywhere else (`anywhere`: the sentence names what it is about).
 */
export type IssuePlace = 'own-row' | 'anywhere';

/**
 * `bindings[0].match.accountId` → ['bindings', 0, 'match', 'accountId'] (the inverse of formatPath,
 * for problems that reach the dashboard as text, like `status.configErrors`).
 */
export function parsePath(text: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < text.length) {
    if (text[at] === '.') at++;
    re.lastIndex = at;
    if (!(m = re.exec(text))) return text === '(root)' ? [] : [text];
    out.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]!) as string)));
    at = re.lastIndex;
  }
  return out;
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : undefined);

/** "account "x" is not defined…" → "Account "x" is not defined….": the checker's words as a sentence. */
export function sentence(message: string): string {
  const s = message.trim();
  if (!s) return s;
  const first = s[0]!.toUpperCase() + s.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** The "(did you mean "x"?)" the checker adds, kept in the humanized sentence. */
function suggestion(message: string): string {
  const m = /\(did you mean "([^"]+)"\?\)/.exec(message);
  return m ? ` Did you mean "${m[1]}"?` : '';
}

export function humanizeIssue(issue: IssueInput, config: Record<string, unknown> | undefined, place: IssuePlace = 'anywhere'): HumanIssue {
  const path = issue.path.length > 0 ? formatPath(issue.path) : '';
  const base = { severity: issue.severity, code: issue.code, path };
  const [head, a, b, c] = issue.path;
  if (head === 'bindings' && typeof a === 'number') return { ...base, ...bindingIssue(issue, a, config, place) };
  if (head === 'agents' && a === 'list' && typeof b === 'number') {
    const agent = obj((obj(config?.agents)?.list as unknown[] | undefined)?.[b]);
    const id = str(agent?.id) ?? `#${b}`;
    const edit: FixTarget = { label: 'Edit agent', hash: routeHash('agents', id), ...(c !== undefined ? { field: String(c) } : {}) };
    if (issue.code === 'unknown_model' || issue.code === 'deprecated_model')
      return {
        ...base,
        text:
          issue.code === 'unknown_model'
            ? `Agent "${id}" uses the model "${str(agent?.model) ?? '?'}", which this version does not know; it is sent as written.${suggestion(issue.message)}`
            : `Agent "${id}" uses a model that is being retired: ${issue.message.replace(/^model "[^"]*" is deprecated and /, '')}.`,
        fix: { ...edit, label: 'Choose a model', field: 'model' },
      };
    return { ...base, text: `Agent "${id}": ${sentence(issue.message)}`, fix: edit };
  }
  if (head === 'agents' && a === 'defaults') return { ...base, text: `Defaults for every agent: ${sentence(issue.message)}` };
  if (head === 'channels' && typeof a === 'string') {
    const channel = channelName(a);
    if (b === 'accounts' && typeof c === 'string') {
      const text =
        issue.code === 'plaintext_secret'
          ? `The ${channel} account "${c}" has its token written in the config file in plain text; move it to the keychain.`
          : `${channel} account "${c}": ${sentence(issue.message)}`;
      return { ...base, text, fix: { label: 'Open Channels', hash: routeHash('channels') } };
    }
    return {
      ...base,
      text: `${channel} settings: ${sentence(issue.message)}`,
      fix: { label: 'Open Channels', hash: routeHash('channels') },
    };
  }
  return { ...base, text: sentence(issue.message) };
}

function bindingIssue(
  issue: IssueInput,
  index: number,
  config: Record<string, unknown> | undefined,
  place: IssuePlace,
): Pick<HumanIssue, 'text' | 'fix'> {
  const binding = obj((config?.bindings as unknown[] | undefined)?.[index]);
  const match = obj(binding?.match);
  const channelId = str(match?.channel)?.toLowerCase() ?? '';
  const channel = channelName(channelId);
  const account = str(match?.accountId)?.toLowerCase() || 'default';
  const agent = str(binding?.agentId) ?? '';
  const field = issue.path[2] === 'match' ? issue.path[3] : issue.path[2];
  const edit: FixTarget = {
    label: 'Edit binding',
    hash: routeHash('bindings', 'edit', String(index)),
    ...(field !== undefined ? { field: String(field) } : {}),
  };
  const addAccount: FixTarget = { label: 'Add account', hash: routeHash('channels', 'add', channelId, account) };
  const general = { text: place === 'own-row' ? sentence(issue.message) : `Binding ${index}: ${sentence(issue.message)}`, fix: edit };
  // Without the binding itself (a problem that arrived as text) there is nothing to name but its number.
  if (!binding || !channelId) return general;
  switch (issue.code) {
    case 'unknown_account':
      return { text: `This binding uses the ${channel} account "${account}", which isn't set up yet.`, fix: addAccount };
    case 'unconfigured_channel':
      return {
        text: `This binding is for ${channel}, where no account is set up yet; it starts working once the account "${account}" is added.`,
        fix: addAccount,
      };
    case 'unknown_agent':
      return {
        text: `This binding sends messages to the agent "${agent}", which doesn't exist.${suggestion(issue.message)}`,
        fix: { ...edit, label: 'Choose an agent', field: 'agentId' },
      };
    case 'shadowed_binding': {
      const by = /bindings\[(\d+)\]|channels\.(\w+)\.agent/.exec(issue.message);
      const who = by?.[1] !== undefined ? `binding ${by[1]}` : by?.[2] ? `the ${channelName(by[2])} shorthand` : 'another binding';
      return { text: `This binding can never match: ${who} already takes every message it would.`, fix: edit };
    }
    default:
      return general;
  }
}
