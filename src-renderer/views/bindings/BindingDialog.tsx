// Add or edit one binding. The form is checked as you type by the same checker the gateway runs,
// with the binding in its place in the draft, so each field shows the exact config error for it
// (and shadowing shows before the binding is even added).
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { CHANNELS, type Tier } from '../../../src-shared/config/index.ts';
import { Button, Dialog, Field } from '../../ui/controls.tsx';
import { channelName } from '../../ui/format.ts';
import { IssueText } from '../../ui/IssueText.tsx';
import {
  analyzeDraft,
  bindingOf,
  formOf,
  rowTier,
  splitIds,
  type BindingField,
  type BindingForm,
  type DraftRow,
  type RawBinding,
  type RowIssue,
} from './draft.ts';
import { TierBadge, type AgentChoice } from './parts.tsx';

export interface BindingDialogProps {
  /** The binding being edited; undefined to add one at the end. */
  initial: RawBinding | undefined;
  /** Its index in the draft (rows.length when adding). */
  index: number;
  rows: DraftRow[];
  raw: Record<string, unknown>;
  agents: AgentChoice[];
  accountsFor(channel: string): string[];
  onSubmit(binding: RawBinding): void;
  onClose(): void;
  /** The field a "Fix" link points at (`agentId`, `accountId`…): focused when the dialog opens. */
  focusField?: string;
}

const OTHER = '__other__';

const PEER_HINTS: Record<string, string> = {
  telegram: 'A Telegram user or chat id (groups start with -100), or a forum topic as <chat>:topic:<n>.',
  discord: 'A Discord user id (direct) or channel id (channel), or a thread id.',
  whatsapp: 'A phone number in E.164 (+15551230001) for direct chats, or a group JID (…@g.us).',
  webchat: 'The dashboard chat has no peers to tell apart; leave this empty.',
};

function defaultForm(agents: AgentChoice[], accountsFor: (channel: string) => string[]): BindingForm {
  const agent = agents.find((a) => !a.default) ?? agents[0];
  const channel = CHANNELS.find((c) => c !== 'webchat' && accountsFor(c).length > 0) ?? 'telegram';
  const accounts = accountsFor(channel);
  return {
    agentId: agent?.id ?? '',
    channel,
    accountId: accounts.length === 0 || accounts.includes('default') ? 'default' : accounts[0]!,
    peerKind: '',
    peerId: '',
    guildId: '',
    roles: '',
    teamId: '',
    comment: '',
  };
}

export function BindingDialog({ initial, index, rows, raw, agents, accountsFor, onSubmit, onClose, focusField }: BindingDialogProps) {
  const [form, setForm] = useState<BindingForm>(() => (initial ? formOf(initial) : defaultForm(agents, accountsFor)));
  const [touched, setTouched] = useState<Set<BindingField>>(
    () => new Set(initial ? ['agentId', 'channel', 'accountId', 'peer', 'guildId', 'roles', 'teamId', 'comment', 'binding'] : []),
  );
  const [submitted, setSubmitted] = useState(false);
  const accounts = accountsFor(form.channel);
  const [otherAccount, setOtherAccount] = useState(() => !['default', '*', ...accounts].includes(form.accountId));
  const formRef = useRef<HTMLFormElement>(null);
  const [moreOpen, setMoreOpen] = useState(() => form.channel === 'discord' || !!(form.guildId || form.roles || form.teamId));
  // Runs after the Dialog's own first-field focus (a child's effects run first), so the field wins.
  useEffect(() => {
    if (focusField) formRef.current?.querySelector<HTMLElement>(`[data-field="${CSS.escape(focusField)}"]`)?.focus();
  }, [focusField]);
  const moreCount = [form.guildId, form.roles, form.teamId].filter((v) => v.trim() !== '').length;

  const candidate = useMemo(() => bindingOf(form, initial), [form, initial]);
  const { issues, shadows } = useMemo(() => {
    const next = rows.slice(0, index).concat([{ key: 'candidate', binding: candidate }], rows.slice(index + (initial ? 1 : 0)));
    const analysis = analyzeDraft(raw, next);
    const shadows = [...analysis.shadowedBy].filter(([, by]) => by === index).map(([i]) => i);
    return { issues: analysis.rows[index] ?? [], shadows };
  }, [rows, index, initial, candidate, raw]);

  const shown = (field: BindingField) => submitted || touched.has(field);
  const errorFor = (field: BindingField): string | undefined => {
    const hit = issues.find((x) => x.field === field && x.severity === 'error');
    return hit && shown(field) ? `${hit.human.text} (${hit.path})` : undefined;
  };
  const warningFor = (field: BindingField): RowIssue | undefined => issues.find((x) => x.field === field && x.severity === 'warning');
  const touch = (field: BindingField) => setTouched((t) => (t.has(field) ? t : new Set(t).add(field)));
  const update = (patch: Partial<BindingForm>, field?: BindingField) => {
    setForm((f) => ({ ...f, ...patch }));
    if (field) touch(field);
  };

  const errors = issues.filter((x) => x.severity === 'error');
  const general = issues.filter((x) => x.field === 'binding');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (errors.length > 0) {
      if (errors.some((x) => x.field === 'guildId' || x.field === 'roles' || x.field === 'teamId')) setMoreOpen(true);
      // Focus the first field that has something to fix.
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    onSubmit(candidate);
  };

  const agentKnown = agents.some((a) => a.id === form.agentId.trim().toLowerCase());
  const accountValue = otherAccount ? OTHER : form.accountId;
  const peerKinds: { value: string; label: string }[] = [
    { value: '', label: 'Any sender or chat (no peer)' },
    { value: 'direct', label: 'Direct chat with a person' },
    { value: 'group', label: 'Group' },
    { value: 'channel', label: 'Channel (or thread)' },
  ];
  if (!peerKinds.some((k) => k.value === form.peerKind)) peerKinds.push({ value: form.peerKind, label: `${form.peerKind} (unknown kind)` });
  const tier = rowTier(candidate);
  const formId = `binding-form-${index}`;

  return (
    <Dialog
      wide
      title={initial ? `Edit binding ${index}` : 'Add binding'}
      onClose={onClose}
      footer={
        <>
          <span className="grow small muted bnd-dialog-note">
            {errors.length > 0 && submitted
              ? `${errors.length} problem${errors.length === 1 ? '' : 's'} to fix`
              : 'Changes go into the draft; nothing is saved until you press Save.'}
          </span>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId}>
            {initial ? 'Apply' : 'Add binding'}
          </Button>
        </>
      }
    >
      <form
        id={formId}
        ref={formRef}
        className="bnd-form"
        onSubmit={submit}
        noValidate
        aria-label={initial ? `Edit binding ${index}` : 'Add binding'}
      >
        <div className="bnd-tier-preview" aria-live="polite">
          <TierBadge tier={tier} />
          <span className="small">{tierExplanation(tier)}</span>
        </div>
        {(general.length > 0 || shadows.length > 0) && (
          <ul className="bnd-row-issues bnd-dialog-issues" aria-label="Problems with this binding">
            {general.map((x) => (
              <li key={`${x.code}:${x.message}`} className={`bnd-issue bnd-${x.severity}`}>
                <span className="bnd-issue-icon" aria-hidden="true">
                  {x.severity === 'error' ? '✕' : '!'}
                </span>
                <span>
                  <IssueText issue={{ ...x.human, fix: undefined }} />
                </span>
              </li>
            ))}
            {shadows.map((i) => (
              <li key={`shadows:${i}`} className="bnd-issue bnd-warning">
                <span className="bnd-issue-icon" aria-hidden="true">
                  !
                </span>
                <span>With this binding, binding {i} can never match: this one already matches every message it would.</span>
              </li>
            ))}
          </ul>
        )}
        <div className="bnd-form-grid">
          <div className="bnd-span">
            <Field
              label="Agent"
              error={errorFor('agentId')}
              hint={agentKnown ? 'Who answers the messages this binding matches.' : undefined}
            >
              {(id, describedBy) => (
                <select
                  id={id}
                  data-field="agentId"
                  className="select"
                  value={form.agentId}
                  aria-describedby={describedBy}
                  aria-invalid={!!errorFor('agentId')}
                  onChange={(e) => update({ agentId: e.target.value }, 'agentId')}
                >
                  {!agentKnown && <option value={form.agentId}>{form.agentId || '(none)'} — unknown agent</option>}
                  {agents.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.emoji ? `${a.emoji} ` : ''}
                      {a.name ?? a.id}
                      {a.name && a.name !== a.id ? ` (${a.id})` : ''}
                      {a.default ? ' — default agent' : ''}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <Field label="Channel" error={errorFor('channel')} hint={warning(warningFor('channel'))}>
            {(id, describedBy) => (
              <select
                id={id}
                data-field="channel"
                className="select"
                value={form.channel}
                aria-describedby={describedBy}
                aria-invalid={!!errorFor('channel')}
                onChange={(e) => {
                  const next = accountsFor(e.target.value);
                  setOtherAccount(false);
                  if (e.target.value === 'discord') setMoreOpen(true);
                  update(
                    {
                      channel: e.target.value,
                      accountId: form.accountId === '*' ? '*' : next.length === 0 || next.includes('default') ? 'default' : next[0]!,
                    },
                    'channel',
                  );
                }}
              >
                {!(CHANNELS as readonly string[]).includes(form.channel) && <option value={form.channel}>{form.channel} (unknown)</option>}
                {CHANNELS.map((c) => (
                  <option key={c} value={c}>
                    {channelName(c)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Account"
            error={errorFor('accountId')}
            hint={
              warning(warningFor('accountId')) ??
              (otherAccount
                ? 'An account you have not set up yet: the binding waits until it exists.'
                : "Which of the channel's accounts (bots, numbers) this applies to.")
            }
          >
            {(id, describedBy) => (
              <div className="bnd-account">
                <select
                  id={id}
                  data-field="accountId"
                  className="select"
                  value={accountValue}
                  aria-describedby={describedBy}
                  aria-invalid={!!errorFor('accountId') && !otherAccount}
                  onChange={(e) => {
                    if (e.target.value === OTHER) {
                      setOtherAccount(true);
                      update({ accountId: '' });
                    } else {
                      setOtherAccount(false);
                      update({ accountId: e.target.value }, 'accountId');
                    }
                  }}
                >
                  <option value="default">
                    default account{accounts.includes('default') || form.channel === 'webchat' ? '' : ' (not configured)'}
                  </option>
                  {accounts
                    .filter((a) => a !== 'default')
                    .map((a) => (
                      <option key={a} value={a}>
                        {a}
                      </option>
                    ))}
                  <option value="*">* — every account</option>
                  <option value={OTHER}>Another account id…</option>
                </select>
                {otherAccount && (
                  <input
                    className="input mono"
                    aria-label="Account id"
                    value={form.accountId}
                    aria-describedby={describedBy}
                    aria-invalid={!!errorFor('accountId')}
                    placeholder="account id"
                    onChange={(e) => update({ accountId: e.target.value })}
                    onBlur={() => touch('accountId')}
                    autoComplete="off"
                    spellCheck={false}
                  />
                )}
              </div>
            )}
          </Field>
          <Field label="Peer kind" hint="One person, group or channel — or nothing, for the whole account.">
            {(id, describedBy) => (
              <select
                id={id}
                data-field="peer"
                className="select"
                value={form.peerKind}
                aria-describedby={describedBy}
                onChange={(e) => update({ peerKind: e.target.value, ...(e.target.value === '' ? { peerId: '' } : {}) })}
              >
                {peerKinds.map((k) => (
                  <option key={k.value} value={k.value}>
                    {k.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Peer id"
            error={form.peerKind ? errorFor('peer') : undefined}
            hint={
              form.peerKind ? (
                <>
                  {PEER_HINTS[form.channel] ?? ''} <code>*</code> matches every{' '}
                  {form.peerKind === 'direct' ? 'direct chat' : 'group and channel'}.
                </>
              ) : (
                'Choose a peer kind first.'
              )
            }
          >
            {(id, describedBy) => (
              <input
                id={id}
                className="input mono"
                value={form.peerId}
                disabled={!form.peerKind}
                aria-describedby={describedBy}
                aria-invalid={!!(form.peerKind && errorFor('peer'))}
                placeholder={form.peerKind ? 'id or *' : ''}
                onChange={(e) => update({ peerId: e.target.value })}
                onBlur={() => touch('peer')}
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </Field>
          <details className="bnd-span bnd-more" open={moreOpen} onToggle={(e) => setMoreOpen(e.currentTarget.open)}>
            <summary>Server, role and team conditions{moreCount > 0 ? ` (${moreCount} set)` : ''}</summary>
            <div className="bnd-form-grid">
              <Field label="Guild id" error={errorFor('guildId')} hint="A Discord server: the message must come from it.">
                {(id, describedBy) => (
                  <input
                    id={id}
                    className="input mono"
                    value={form.guildId}
                    aria-describedby={describedBy}
                    aria-invalid={!!errorFor('guildId')}
                    onChange={(e) => update({ guildId: e.target.value })}
                    onBlur={() => touch('guildId')}
                    autoComplete="off"
                    spellCheck={false}
                  />
                )}
              </Field>
              <Field
                label="Roles"
                error={errorFor('roles')}
                hint={
                  <>
                    Role ids, separated by commas; the member needs any one of them. Roles need a guild id.
                    {splitIds(form.roles).length > 0 && (
                      <span className="bnd-chips bnd-role-chips">
                        {splitIds(form.roles).map((r) => (
                          <span key={r} className="bnd-chip">
                            {r}
                          </span>
                        ))}
                      </span>
                    )}
                  </>
                }
              >
                {(id, describedBy) => (
                  <input
                    id={id}
                    className="input mono"
                    value={form.roles}
                    aria-describedby={describedBy}
                    aria-invalid={!!errorFor('roles')}
                    onChange={(e) => update({ roles: e.target.value })}
                    onBlur={() => touch('roles')}
                    placeholder="e.g. 111, 222"
                    autoComplete="off"
                    spellCheck={false}
                  />
                )}
              </Field>
              <Field label="Team id" error={errorFor('teamId')} hint="Rarely needed: a workspace or team id. Not together with a guild.">
                {(id, describedBy) => (
                  <input
                    id={id}
                    className="input mono"
                    value={form.teamId}
                    aria-describedby={describedBy}
                    aria-invalid={!!errorFor('teamId')}
                    onChange={(e) => update({ teamId: e.target.value })}
                    onBlur={() => touch('teamId')}
                    autoComplete="off"
                    spellCheck={false}
                  />
                )}
              </Field>
            </div>
          </details>
          <div className="bnd-span">
            <Field label="Comment" error={errorFor('comment')} hint="Optional: a note for whoever reads the config.">
              {(id, describedBy) => (
                <input
                  id={id}
                  className="input"
                  value={form.comment}
                  aria-describedby={describedBy}
                  onChange={(e) => update({ comment: e.target.value })}
                  autoComplete="off"
                />
              )}
            </Field>
          </div>
        </div>
      </form>
    </Dialog>
  );
}

function warning(issue: RowIssue | undefined): ReactNode {
  return issue ? <span className="bnd-warn-text">⚠ {issue.human.text}</span> : undefined;
}

function tierExplanation(tier: Tier): string {
  switch (tier) {
    case 1:
      return 'Matches one exact person, group or channel — the most specific tier.';
    case 3:
      return 'Matches every peer of this kind; exact peers still win over it.';
    case 4:
      return 'Matches members with one of these roles in the guild.';
    case 5:
      return 'Matches every message in the guild.';
    case 6:
      return 'Matches every message of the team.';
    case 7:
      return 'Matches everything on this account that nothing more specific claims.';
    case 8:
      return 'Matches everything on every account of this channel — the broadest tier.';
    default:
      return '';
  }
}
