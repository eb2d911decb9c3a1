// The route tester's answer in words: who answers and why, said in terms of the message ("comes
// from the Telegram group -1001234") and the kind of binding that decided, most specific first.
// The tier code (`binding.peer`) stays beside it as the detail for whoever reads docs/routing.md.
import type { Binding, PeerKind, Tier } from '../../../src-shared/config/index.ts';
import type { RouteExplanation } from '../../../src-shared/routing/index.ts';
import { channelName } from '../../ui/format.ts';

/** What kind of binding decided, in words, by tier. */
export const KIND_WORDS: Record<Tier, string> = {
  1: 'a peer binding, the most specific kind',
  2: 'a binding for the parent chat of a thread or topic',
  3: 'a binding for every chat of one kind',
  4: 'a server-and-role binding',
  5: 'a server binding',
  6: 'a team binding',
  7: 'an account binding',
  8: 'a channel binding, the broadest kind',
  9: 'no binding',
};

function peerWords(channel: string, kind: PeerKind, id: string): string {
  if (id === '*') return kind === 'direct' ? `any direct chat on ${channel}` : `any ${channel} ${kind}`;
  return kind === 'direct' ? `a direct chat with ${id} on ${channel}` : `the ${channel} ${kind} ${id}`;
}

/** "Answered by Work because the message comes from the Telegram group -1001234 (a peer binding, the most specific kind)." */
export function explainRoute(explanation: RouteExplanation, winner: Binding | undefined, agentLabel: string): string {
  const { decision, tier } = explanation;
  const channel = channelName(decision.channel);
  if (decision.matchedBy === 'direct') return `Answered by ${agentLabel} because the message was sent to it directly.`;
  if (decision.bindingIndex === null || !winner)
    return `Answered by ${agentLabel}, the default agent, because no binding matches a message like this one.`;
  const m = winner.match;
  let why: string;
  switch (tier) {
    case 1:
      why = `the message comes from ${peerWords(channel, m.peer!.kind, m.peer!.id)}`;
      break;
    case 2:
      why = `the message is in a thread or topic of ${peerWords(channel, m.peer!.kind, m.peer!.id)}`;
      break;
    case 3:
      why = `the message comes from ${peerWords(channel, m.peer!.kind, '*')}`;
      break;
    case 4:
      why = `the sender has the role ${m.roles!.join(' or ')} in the ${channel} server ${m.guildId}`;
      break;
    case 5:
      why = `the message comes from the ${channel} server ${m.guildId}`;
      break;
    case 6:
      why = `the message comes from the ${channel} team ${m.teamId}`;
      break;
    case 7:
      why = `the message arrived on the ${channel} account "${m.accountId}"`;
      break;
    default:
      why = `the message arrived on ${channel}`;
  }
  return `Answered by ${agentLabel} because ${why} (${KIND_WORDS[tier]}, binding ${decision.bindingIndex}).`;
}
