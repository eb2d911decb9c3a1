// What the router sees of an inbound message, and its normalisation
// (docs/routing.md#what-the-router-sees): channel and account lower-cased, `dm` = `direct`, ids
// trimmed and compared exactly, numbers become strings.
import { DEFAULT_ACCOUNT_ID, isChannelId, normalizePeerKind, type ChannelId, type PeerRef } from '../config/index.ts';

export interface InboundPeerInput {
  kind: string;
  id: string | number;
}

/** As adapters, the CLI and the route tester write it. */
export interface InboundInput {
  channel: string;
  accountId?: string | number | null;
  peer?: InboundPeerInput | null;
  parentPeer?: InboundPeerInput | null;
  guildId?: string | number | null;
  memberRoleIds?: (string | number)[] | null;
  teamId?: string | number | null;
}

export interface InboundRoute {
  channel: ChannelId;
  accountId: string;
  peer: PeerRef | undefined;
  parentPeer: PeerRef | undefined;
  guildId: string | undefined;
  memberRoleIds: string[];
  teamId: string | undefined;
}

export class RouteInputError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'RouteInputError';
  }
}

const CANONICAL_KINDS: Record<string, true> = { direct: true, group: true, channel: true };
const EMPTY: string[] = [];

/** True when `s` has no leading or trailing white space (so trim() would not change it). */
function trimmed(s: string): boolean {
  return s.length === 0 || (s.charCodeAt(0) > 32 && s.charCodeAt(s.length - 1) > 32);
}

function peer(input: InboundPeerInput | null | undefined, field: string): PeerRef | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input !== 'object' || typeof input.kind !== 'string') throw new RouteInputError(`${field} must be {kind, id}`, field);
  // Hot path: adapters already send canonical peers; reuse them instead of allocating.
  if (CANONICAL_KINDS[input.kind] === true && typeof input.id === 'string' && trimmed(input.id)) return input as PeerRef;
  const kind = normalizePeerKind(input.kind);
  if (!kind) throw new RouteInputError(`${field}.kind "${input.kind}" is not a peer kind (direct, dm, group, channel)`, `${field}.kind`);
  if (typeof input.id !== 'string' && typeof input.id !== 'number')
    throw new RouteInputError(`${field}.id must be a string or number`, `${field}.id`);
  return { kind, id: String(input.id).trim() };
}

function optionalId(value: string | number | null | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const id = typeof value === 'string' && trimmed(value) ? value : String(value).trim();
  return id === '' ? undefined : id;
}

function lowerTrim(s: string): string {
  return trimmed(s) ? s.toLowerCase() : s.trim().toLowerCase();
}

/** A fresh InboundRoute with every field present, so all of them share one hidden class. */
export function emptyInboundRoute(): InboundRoute {
  return {
    channel: 'webchat',
    accountId: DEFAULT_ACCOUNT_ID,
    peer: undefined,
    parentPeer: undefined,
    guildId: undefined,
    memberRoleIds: EMPTY,
    teamId: undefined,
  };
}

function cleanRoles(roles: (string | number)[]): string[] {
  for (let i = 0; i < roles.length; i++) {
    const r = roles[i];
    if (typeof r !== 'string' || !trimmed(r)) return roles.map((x) => String(x).trim());
  }
  return roles as string[];
}

/** Normalises `input` into `target` (the router reuses one target: no allocation per message). */
export function normalizeInto(input: InboundInput, target: InboundRoute): InboundRoute {
  if (typeof input?.channel !== 'string') throw new RouteInputError('channel is required', 'channel');
  const channel = lowerTrim(input.channel);
  if (!isChannelId(channel))
    throw new RouteInputError(`unknown channel "${input.channel}" (telegram, discord, whatsapp, webchat)`, 'channel');
  const rawAccount = input.accountId;
  const accountId =
    rawAccount === undefined || rawAccount === null ? '' : typeof rawAccount === 'string' ? lowerTrim(rawAccount) : String(rawAccount);
  target.channel = channel;
  target.accountId = accountId || DEFAULT_ACCOUNT_ID;
  target.peer = peer(input.peer, 'peer');
  target.parentPeer = peer(input.parentPeer, 'parentPeer');
  target.guildId = optionalId(input.guildId);
  target.teamId = optionalId(input.teamId);
  const roles = input.memberRoleIds;
  target.memberRoleIds = roles && roles.length > 0 ? cleanRoles(roles) : EMPTY;
  return target;
}

export function normalizeInbound(input: InboundInput): InboundRoute {
  return normalizeInto(input, emptyInboundRoute());
}
