// `switchboard import` of OpenClaw's Slack block (`channels.slack`, its accounts): Switchboard
// connects over Socket Mode only, so the HTTP Events API keys are dropped with the reason; the
// legacy `dm` block and the per-channel `channels` map become `dmPolicy`/`allowFrom` and `groups`.
import type { ImportReport } from './import-report.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const SOCKET_ONLY =
  'Switchboard connects to Slack over Socket Mode only (it runs on your computer, which Slack cannot call); switch on Socket Mode in the Slack app and give this account an app-level token (appToken, xapp-…)';

/** Converts the base block and every account in place, reporting each change. */
export function convertSlackBlock(block: Obj, report: ImportReport): void {
  // OpenClaw answers in every channel the bot is in unless told otherwise; Switchboard only in the
  // channels listed (docs/seed-parity.md). Said, not changed: the safer default stays.
  if (!('groupPolicy' in block))
    report.mapped.push(
      'channels.slack.groupPolicy: not set; OpenClaw\'s default is "open" (every channel), Switchboard\'s is "allowlist" (only the channels in groups); write groupPolicy: "open" to keep answering everywhere',
    );
  convertAccount(block, 'channels.slack', report);
  if (isObj(block.accounts))
    for (const [id, account] of Object.entries(block.accounts))
      if (isObj(account)) convertAccount(account, `channels.slack.accounts.${id}`, report);
}

function convertAccount(account: Obj, at: string, report: ImportReport): void {
  if ('mode' in account) {
    if (account.mode === 'http')
      report.dropped.push(
        `${at}.mode "http": ${SOCKET_ONLY}${'appToken' in account ? '' : ` (${at}.appToken: { secret: "slack/${accountName(at)}/app" })`}`,
      );
    else report.mapped.push(`${at}.mode ${JSON.stringify(account.mode)}: Socket Mode is the only mode here (key removed)`);
    delete account.mode;
  }
  for (const key of ['signingSecret', 'webhookPath']) {
    if (!(key in account)) continue;
    // Never the value: a signing secret is a credential.
    report.dropped.push(`${at}.${key}: used by the HTTP Events API mode only; Switchboard uses Socket Mode`);
    delete account[key];
  }
  if ('userToken' in account) {
    report.dropped.push(
      `${at}.userToken: not used — Switchboard reads and replies with the bot token only; the user token (xoxp-…) was not copied`,
    );
    delete account.userToken;
  }
  if ('userTokenReadOnly' in account) {
    report.dropped.push(`${at}.userTokenReadOnly: goes with userToken, which is not used`);
    delete account.userTokenReadOnly;
  }
  if (isObj(account.dm)) convertDm(account, account.dm, at, report);
  if (isObj(account.channels)) convertChannels(account, account.channels, at, report);
  if (typeof account.requireMention === 'boolean') {
    const groups = isObj(account.groups) ? account.groups : {};
    const wildcard = isObj(groups['*']) ? groups['*'] : {};
    if (!('requireMention' in wildcard)) wildcard.requireMention = account.requireMention;
    groups['*'] = wildcard;
    account.groups = groups;
    report.mapped.push(`${at}.requireMention → ${at}.groups["*"].requireMention`);
    delete account.requireMention;
  }
}

/** `channels.slack.accounts.work` → `work`; the base block is the `default` account. */
function accountName(at: string): string {
  return at === 'channels.slack' ? 'default' : at.slice('channels.slack.accounts.'.length).toLowerCase();
}

/** OpenClaw's legacy `dm: { enabled, policy, allowFrom }`; keys already written the new way win. */
function convertDm(account: Obj, dm: Obj, at: string, report: ImportReport): void {
  if (!('dmPolicy' in account)) {
    if (dm.enabled === false) account.dmPolicy = 'disabled';
    else if (typeof dm.policy === 'string') account.dmPolicy = dm.policy;
    if ('dmPolicy' in account)
      report.mapped.push(`${at}.dm.${dm.enabled === false ? 'enabled false' : 'policy'} → ${at}.dmPolicy "${String(account.dmPolicy)}"`);
  }
  if (Array.isArray(dm.allowFrom) && !('allowFrom' in account)) {
    account.allowFrom = dm.allowFrom;
    report.mapped.push(`${at}.dm.allowFrom → ${at}.allowFrom`);
  }
  const rest = Object.keys(dm).filter((k) => !['enabled', 'policy', 'allowFrom'].includes(k));
  if (rest.length > 0) report.dropped.push(`${at}.dm.${rest.join(`, ${at}.dm.`)}: not a Switchboard setting`);
  delete account.dm;
}

/** `channels: { C…: { allow|enabled, requireMention, users } }` → `groups` keyed by channel id. */
function convertChannels(account: Obj, channels: Obj, at: string, report: ImportReport): void {
  const groups = isObj(account.groups) ? account.groups : {};
  for (const [id, entry] of Object.entries(channels)) {
    if (!isObj(entry) || id in groups) continue;
    const group: Obj = {};
    const allow = entry.enabled ?? entry.allow;
    if (typeof allow === 'boolean') group.allow = allow;
    if (typeof entry.requireMention === 'boolean') group.requireMention = entry.requireMention;
    if (Array.isArray(entry.users)) group.allowFrom = entry.users;
    groups[id] = group;
    const rest = Object.keys(entry).filter((k) => !['enabled', 'allow', 'requireMention', 'users'].includes(k));
    if (rest.length > 0) report.dropped.push(`${at}.channels.${id}.${rest.join(`, ${at}.channels.${id}.`)}: not a Switchboard setting`);
    // Switchboard matches channels by id; OpenClaw also took names, which would never match here.
    if (id !== '*' && !/^[CGD][A-Z0-9]+$/.test(id))
      report.mapped.push(
        `${at}.channels.${id}: kept as groups.${id}, but Slack channels are matched by id (C…): replace the name with the channel's id`,
      );
  }
  account.groups = groups;
  report.mapped.push(`${at}.channels → ${at}.groups (keyed by channel id; users → allowFrom)`);
  delete account.channels;
}
