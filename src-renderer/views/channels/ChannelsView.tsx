// Channels: pending pairing requests first (they wait on the user), then every configured account
// grouped by channel with its live state, probe and (WhatsApp) device linking; with no accounts,
// how to add one. "Add account" adds one right here (AddAccountDialog). Everything is live from the
// gateway store; Refresh only re-reads it.
import { useEffect, useState } from 'react';
import { useConfig } from '../../store/config.ts';
import { useGateway, type ChannelStatus } from '../../store/gateway.ts';
import { useNav } from '../../store/nav.ts';
import { Banner, Button, EmptyState, PageHeader } from '../../ui/controls.tsx';
import { ChannelSection } from './AccountList.tsx';
import { ADDABLE, type AddableChannel } from './accountEdits.ts';
import { AddAccountDialog } from './AddAccountDialog.tsx';
import { LinkDialog } from './LinkDialog.tsx';
import { PairingRequests } from './PairingRequests.tsx';
import { SetupHelp } from './SetupHelp.tsx';
import './channels.css';

const ORDER = ['telegram', 'discord', 'slack', 'whatsapp'] as const;

export function ChannelsView() {
  const channels = useGateway((s) => s.channels);
  const loaded = useGateway((s) => s.loaded);
  const loadError = useGateway((s) => s.loadError);
  const refresh = useGateway((s) => s.refresh);
  const client = useGateway((s) => s.client);
  const [refreshing, setRefreshing] = useState(false);
  const [adding, setAdding] = useState<false | { channel?: AddableChannel; accountId?: string }>(false);
  // `#/channels/add/<channel>/<account>`: a problem's "Add account" link (ui/issue-words.ts) opens
  // the dialog for the account a binding names; the route goes back to the page after.
  const routeArgs = useNav((s) => s.route.args);
  const navigate = useNav((s) => s.navigate);
  useEffect(() => {
    if (routeArgs[0] !== 'add') return;
    const channel = ADDABLE.find((c) => c.channel === routeArgs[1])?.channel;
    setAdding({ ...(channel ? { channel } : {}), ...(channel && routeArgs[2] ? { accountId: routeArgs[2] } : {}) });
    navigate('channels');
  }, [routeArgs, navigate]);
  const [linking, setLinking] = useState<string>();

  // The config adds each account's name and DM policy; the page works without it.
  useEffect(() => {
    if (client && !useConfig.getState().snapshot) void useConfig.getState().load();
  }, [client]);

  const groups = groupByChannel(channels);
  const missing = ORDER.filter((c) => !groups.has(c));
  const onRefresh = async () => {
    setRefreshing(true);
    await Promise.all([refresh(), useConfig.getState().load()]);
    setRefreshing(false);
  };

  return (
    <div className="page channels-page">
      <PageHeader
        title="Channels"
        subtitle="The accounts your agents answer on, and the people waiting to be let in."
        actions={
          <>
            <Button busy={refreshing} onClick={() => void onRefresh()}>
              Refresh
            </Button>
            <Button variant="primary" disabled={!client} onClick={() => setAdding({})}>
              Add account
            </Button>
          </>
        }
      />
      {loadError && (
        <Banner tone="danger" title="Could not load the gateway's state:">
          {loadError}
        </Banner>
      )}
      <PairingRequests />
      {!loaded ? (
        <div className="stack" aria-busy="true" aria-label="Loading channel accounts">
          {[0, 1].map((i) => (
            <div key={i} className="card skeleton" style={{ height: 132 }} />
          ))}
        </div>
      ) : groups.size === 0 ? (
        <section className="card" aria-label="Channel accounts">
          <EmptyState
            icon="⌁"
            title="No channel accounts yet"
            action={
              <Button variant="primary" disabled={!client} onClick={() => setAdding({})}>
                Add an account
              </Button>
            }
          >
            Agents already answer here in the dashboard. Add a Telegram, Discord or WhatsApp account to reach them from your phone.
          </EmptyState>
          <details className="add-channel">
            <summary>Or set it up in the config file</summary>
            <SetupHelp />
          </details>
        </section>
      ) : (
        <>
          {[...groups].map(([channel, accounts]) => (
            <ChannelSection key={channel} channel={channel} accounts={accounts} />
          ))}
          {missing.length > 0 && (
            <details className="card add-channel">
              <summary>
                Add a{' '}
                {missing
                  .map((c) => ({ telegram: 'Telegram', discord: 'Discord', slack: 'Slack', whatsapp: 'WhatsApp' })[c])
                  .join(', ')
                  .replace(/, ([^,]*)$/, ' or $1')}{' '}
                account by hand
              </summary>
              <SetupHelp missing={missing} />
            </details>
          )}
        </>
      )}
      {adding && (
        <AddAccountDialog
          {...(adding.channel ? { initialChannel: adding.channel } : {})}
          {...(adding.accountId ? { initialAccountId: adding.accountId } : {})}
          onClose={() => setAdding(false)}
          onLinkWhatsApp={setLinking}
        />
      )}
      {linking && <LinkDialog accountId={linking} onClose={() => setLinking(undefined)} />}
    </div>
  );
}

/** Accounts per channel in a fixed channel order (unknown channels last), accounts by id. */
function groupByChannel(channels: ChannelStatus[]): Map<string, ChannelStatus[]> {
  const rank = (c: string) => {
    const i = (ORDER as readonly string[]).indexOf(c);
    return i < 0 ? ORDER.length : i;
  };
  const sorted = [...channels]
    .filter((c) => c.channel !== 'webchat')
    .sort((a, b) => rank(a.channel) - rank(b.channel) || a.channel.localeCompare(b.channel) || a.accountId.localeCompare(b.accountId));
  return Map.groupBy(sorted, (c) => c.channel);
}
