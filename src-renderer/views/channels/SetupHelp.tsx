// How to add a channel account: the exact `switchboard.json` block and the real CLI commands
// (docs/channels.md, docs/credentials.md). Shown as the empty state, and folded away under the
// accounts once there are some.
import { useGateway } from '../../store/gateway.ts';
import { CopyButton } from '../../ui/controls.tsx';

const SNIPPETS = {
  telegram: `telegram: {
  accounts: { default: { botToken: { secret: "telegram/default" } } },
},`,
  discord: `discord: {
  accounts: { default: { token: { secret: "discord/default" } } },
},`,
  slack: `slack: {
  accounts: { default: { appToken: { secret: "slack/default/app" }, botToken: { secret: "slack/default/bot" } } },
},`,
  whatsapp: `whatsapp: {
  accounts: { personal: {} },
},`,
};
type SetupChannel = keyof typeof SNIPPETS;
const EVERY: SetupChannel[] = ['telegram', 'discord', 'slack', 'whatsapp'];

const ALL = `channels: {
  ${SNIPPETS.telegram.replace(/\n/g, '\n  ')}
  ${SNIPPETS.discord.replace(/\n/g, '\n  ')}
  ${SNIPPETS.slack.replace(/\n/g, '\n  ')}
  ${SNIPPETS.whatsapp.replace(/\n/g, '\n  ')}
},`;

export function SetupHelp({ missing = EVERY }: { missing?: SetupChannel[] }) {
  const configPath = useGateway((s) => s.status?.configPath);
  const snippet =
    missing.length === EVERY.length ? ALL : `channels: {\n  ${missing.map((c) => SNIPPETS[c].replace(/\n/g, '\n  ')).join('\n  ')}\n},`;
  return (
    <div className="setup-help">
      <ol className="setup-steps">
        <li>
          <p>
            Add the account under <code>channels</code> in{' '}
            {configPath ? <code className="path">{configPath}</code> : <code>switchboard.json</code>}. The gateway notices the change and
            starts the account; nothing else restarts.
          </p>
          <div className="snippet">
            <pre aria-label="Config snippet">
              <code>{snippet}</code>
            </pre>
            <CopyButton text={snippet} label="Copy the config snippet" />
          </div>
        </li>
        {(missing.includes('telegram') || missing.includes('discord') || missing.includes('slack')) && (
          <li>
            <p>Put each bot token in your keychain (the value is asked for in a hidden prompt, never typed on the command line):</p>
            {missing.includes('telegram') && (
              <Command text="switchboard secrets set telegram/default" note="Telegram: the token @BotFather gave you" />
            )}
            {missing.includes('discord') && (
              <Command
                text="switchboard secrets set discord/default"
                note="Discord: the bot token from the Developer Portal (switch on the Message Content intent there)"
              />
            )}
            {missing.includes('slack') && (
              <>
                <Command
                  text="switchboard secrets set slack/default/app"
                  note="Slack: the app-level token (xapp-…, Basic Information → App-Level Tokens, scope connections:write; switch on Socket Mode)"
                />
                <Command
                  text="switchboard secrets set slack/default/bot"
                  note="Slack: the bot token (xoxb-…, OAuth & Permissions); subscribe the app to message.* and app_mention events"
                />
              </>
            )}
            <p className="small muted">
              A token can also come from the gateway's environment: <code>{'{ env: "TELEGRAM_TOKEN" }'}</code> instead of{' '}
              <code>{'{ secret: … }'}</code>.
            </p>
          </li>
        )}
        {missing.includes('whatsapp') && (
          <li>
            <p>
              WhatsApp needs no token: once the account appears here, press <strong>Link device</strong> and scan the QR code with your
              phone — or run
            </p>
            <Command text="switchboard channels login --channel whatsapp --account personal" />
          </li>
        )}
        <li>
          <p>
            Unknown people who write to a bot get a pairing code; their requests appear on this page for you to approve. To decide which
            agent answers an account, add a binding on the Bindings page.
          </p>
        </li>
      </ol>
    </div>
  );
}

function Command({ text, note }: { text: string; note?: string }) {
  return (
    <div className="command-block">
      {note && <span className="small muted">{note}</span>}
      <div className="command">
        <code className="grow">{text}</code>
        <CopyButton text={text} label={`Copy: ${text}`} />
      </div>
    </div>
  );
}
