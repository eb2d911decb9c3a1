// Every problem with the wizard's form, by the field it is about: the form's own rules, then the
// shared checker's issues on the draft config (and the gateway's, from config.validate) attached
// to the field their config path points at — the exact message, with its path.
import {
  bindingPath,
  bindingTier,
  findShadowedBindings,
  formatPath,
  TIER_NAMES,
  type ConfigCheck,
} from '../../../../src-shared/config/index.ts';
import { limitValue } from './agent-keys.ts';
import { EXEC_NEEDS_SANDBOX_MESSAGE, effectiveTools, execNeedsSandbox, hostPlatform } from './tools.ts';
import { buildDraft, type Draft, type FieldIssue, type FieldIssues, type WizardBase, type WizardForm, type WizardMode } from './draft.ts';
import { checkDraft } from '../../../store/config.ts';

/** Which form field a config path belongs to, if any. */
export function fieldOf(path: string, draft: Pick<Draft, 'agentPaths' | 'bindingAt'>): string | undefined {
  for (const prefix of draft.agentPaths) {
    if (path !== prefix && !path.startsWith(`${prefix}.`) && !path.startsWith(`${prefix}[`)) continue;
    const rest = path.slice(prefix.length);
    if (rest === '' || rest.startsWith('.id')) return 'id';
    if (rest.startsWith('.name') || rest.startsWith('.identity.name')) return 'name';
    if (rest.startsWith('.identity.emoji')) return 'emoji';
    if (rest.startsWith('.identity')) return 'persona';
    if (rest.startsWith('.default')) return 'default';
    if (rest.startsWith('.model')) return 'model';
    if (rest.startsWith('.workspace') || rest.startsWith('.agentDir')) return 'workspace';
    if (rest.startsWith('.tools')) return 'tools';
    if (rest.startsWith('.authProfiles')) return 'auth';
    if (rest.startsWith('.owners')) return 'owners';
    if (rest.startsWith('.limits')) return 'limits';
    if (rest.startsWith('.memory')) return 'memory';
    return 'general';
  }
  const m = /^bindings\[(\d+)\](.*)$/.exec(path);
  const key = m ? draft.bindingAt.get(Number(m[1])) : undefined;
  if (!m || !key) return undefined;
  const rest = m[2]!;
  const part = rest.startsWith('.match.channel')
    ? 'channel'
    : rest.startsWith('.match.accountId')
      ? 'account'
      : rest.startsWith('.match.peer')
        ? 'peer'
        : rest.startsWith('.match.guildId')
          ? 'guild'
          : rest.startsWith('.match.roles')
            ? 'roles'
            : 'row';
  return `binding:${key}:${part}`;
}

function issueKey(i: FieldIssue): string {
  return `${i.severity}|${i.path}|${i.message}`;
}

export function formatIssues(check: ConfigCheck): FieldIssue[] {
  return check.issues.map((i) => ({
    severity: i.severity,
    code: i.code,
    message: i.message,
    path: i.path.length > 0 ? formatPath(i.path) : '',
  }));
}

/** Form rules the config cannot express (a field left empty where the user picked "custom"). */
export function formIssues(form: WizardForm, mode: WizardMode): { field: string; issue: FieldIssue }[] {
  const out: { field: string; issue: FieldIssue }[] = [];
  const err = (field: string, message: string) => out.push({ field, issue: { severity: 'error', code: 'required', message, path: '' } });
  if (mode.kind === 'create' && !form.id.trim())
    err('id', 'Enter an id: 1–64 characters a-z, 0-9, "_" or "-", starting with a letter or digit.');
  if (form.customModel && !form.model.trim()) err('model', 'Enter a model name, or pick one from the list.');
  if (mode.kind === 'create' && form.customWorkspace && !form.workspace.trim()) err('workspace', 'Enter a folder, or use the default one.');
  if (form.auth.mode === 'key' && !form.auth.apiKey.trim() && mode.kind === 'create')
    err('auth', 'Paste the API key, or choose another option.');
  if (form.auth.mode === 'copy' && mode.kind === 'create') {
    if (!form.auth.copyFrom) err('auth', 'Pick the agent whose keys to copy, or choose another option.');
    else if (form.auth.copyProfiles.length === 0) err('auth', 'Pick at least one key to copy, or choose another option.');
  }
  if (/\s/.test(form.auth.apiKey.trim()) || /\s/.test(form.auth.sharedKey.trim()))
    err('auth', 'The key contains whitespace; paste only the key.');
  for (const [key, label] of [
    ['dailyTokens', 'Tokens a day'],
    ['perSenderPerMinute', 'Messages a minute per sender'],
  ] as const) {
    if (Number.isNaN(limitValue(form.limits[key])))
      err('limits', `${label}: enter a whole number above 0, or leave it empty for no limit.`);
  }
  for (const b of form.bindings) {
    if (!b.channel) err(`binding:${b.key}:channel`, 'Pick a channel.');
    if (!b.accountId) err(`binding:${b.key}:account`, 'Pick an account.');
    if (b.peerKind !== 'any' && !b.peerId.trim()) err(`binding:${b.key}:peer`, 'Enter the chat id, or * for any chat of this kind.');
  }
  return out;
}

/**
 * Every problem with the form, by field: the form rules, the build problems, then the checker's
 * issues (and the gateway's, when given) attached to the field their path points at. Errors the
 * file already had are not the form's fault and are left out; new errors elsewhere go to `general`.
 */
export function collectIssues(
  base: WizardBase,
  form: WizardForm,
  mode: WizardMode,
  gatewayIssues: FieldIssue[] = [],
  platform: string = hostPlatform(),
): { byField: FieldIssues; draft: Draft } {
  const draft = buildDraft(base, form, mode);
  const byField: FieldIssues = {};
  const seen = new Set<string>();
  const add = (field: string, issue: FieldIssue) => {
    const key = `${field}|${issueKey(issue)}`;
    if (seen.has(key)) return;
    seen.add(key);
    (byField[field] ??= []).push(issue);
  };
  for (const { field, issue } of [...formIssues(form, mode), ...draft.issues]) add(field, issue);
  if (draft.issues.length > 0) return { byField, draft };
  // A field the form rules already flag (e.g. an empty id) needs no second message from the checker.
  const flagged = new Set(Object.keys(byField));
  const before = new Set(formatIssues(base.check).map(issueKey));
  const check = checkDraft(draft.raw);
  const checked = formatIssues(check);
  for (const { field, issue } of takeovers(check, draft)) add(field, issue);
  const agentId = mode.kind === 'edit' ? mode.agentId : form.id.trim().toLowerCase();
  const agent = check.config?.agents.list.find((a) => a.id === agentId);
  if (agent && agent.sandbox.mode === 'off' && effectiveTools(form.tools).includes('exec') && execNeedsSandbox(platform))
    add('tools', { severity: 'error', code: 'exec_needs_sandbox', message: EXEC_NEEDS_SANDBOX_MESSAGE, path: draft.agentPaths[0] ?? '' });
  for (const issue of [...checked, ...gatewayIssues]) {
    const field = fieldOf(issue.path, draft);
    if (field && flagged.has(field)) continue;
    if (field) add(field, issue);
    else if (issue.severity === 'error' && !before.has(issueKey(issue))) add('general', issue);
  }
  return { byField, draft };
}

/**
 * The checker reports a shadowed binding at the one that loses; when that is someone else's and a
 * new row is the winner, the warning belongs on the new row too.
 */
function takeovers(check: ConfigCheck, draft: Draft): { field: string; issue: FieldIssue }[] {
  if (!check.config) return [];
  return findShadowedBindings(check.config.bindings).flatMap(({ shadowed, by }) => {
    const winner = by.source === 'bindings' ? draft.bindingAt.get(by.index) : undefined;
    if (!winner || (shadowed.source === 'bindings' && draft.bindingAt.has(shadowed.index))) return [];
    const where = formatPath(bindingPath(shadowed));
    return [
      {
        field: `binding:${winner}:row`,
        issue: {
          severity: 'warning' as const,
          code: 'shadows_binding',
          path: where,
          message: `takes every message of ${where} (agent "${shadowed.agentId}", ${TIER_NAMES[bindingTier(shadowed)]}): that binding would never match again`,
        },
      },
    ];
  });
}

export function errorsIn(byField: FieldIssues, fields: (field: string) => boolean): FieldIssue[] {
  return Object.entries(byField)
    .filter(([f]) => fields(f))
    .flatMap(([, list]) => list.filter((i) => i.severity === 'error'));
}
