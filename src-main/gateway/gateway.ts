// The gateway: owns the channel adapters, applies access policy, routes with the compiled router,
// runs agent turns in per-session lanes and sends replies. start()/stop() switch message
// processing on and off; the process and its control plane keep running while stopped.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { type AgentConfig, type ChannelAccount, type SwitchboardConfig } from '../../src-shared/config/index.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { compileRouter, laneKey, ownerAwareSessionKey, type Router } from '../../src-shared/routing/index.ts';
import { prepareAgentFolders } from '../agents/workspace-setup.ts';
import { OsSandbox, sandboxApplies, sandboxUnavailableReason, type ExecConfinement, type ExecSandbox } from '../agents/sandbox/index.ts';
import { removeUnreferencedMedia, transcriptMediaRefs } from '../agents/media.ts';
import type { TurnResult } from '../agents/turn-types.ts';
import { InsecureEndpointError, resolveBaseUrl } from '../agents/turn.ts';
import { agentPaths, type AgentPaths, type Locations } from '../config/paths.ts';
import type { ConfigStore, LoadedConfig } from '../config/store.ts';
import { createLogger, type Logger, type ModuleLogger } from '../log.ts';
import { redactText } from '../secrets/redact.ts';
import { SessionStores, type AgentSessionStore, type JournalNotice, type StoreNotice, type TranscriptRecord } from '../sessions/index.ts';
import { A2AChains } from './a2a-chain.ts';
import { checkSenderAccess, passesMentionGate } from './access.ts';
import { AgentActivity } from './agent-activity.ts';
import { AgentLinks } from './agent-links.ts';
import { AgentControls } from './agent-controls.ts';
import { appendChatEvent, appendInbound, emitInbound } from './inbound-record.ts';
import { HeartbeatScheduler, type HeartbeatClock } from './heartbeat.ts';
import { HEARTBEAT_SENDER, heartbeatEnvelope, heartbeatPrompt, heartbeatReply } from './heartbeat-turn.ts';
import { ChannelSet, type AdapterFactory } from './channel-set.ts';
import { queueCutOffTurns } from './cut-off-turns.ts';
import { emitOwnReply, unavailableReply, type Delivery, type Emit } from './delivery.ts';
import type { ChannelStatus, InboundEnvelope } from './envelope.ts';
import { LaneOverflowError, SessionLanes } from './lanes.ts';
import type { PairingStore } from './pairing.ts';
import {
  AutoReset,
  isResetCommand,
  isStopCommand,
  NOTHING_TO_STOP_REPLY,
  queueSessionReset,
  RESET_REPLY,
  resetPolicy,
  STOP_REPLY,
} from './session-commands.ts';
import { DEDUPE_SCAN_RECORDS, SendDedupe } from './send-dedupe.ts';
import { CANNOT_RESET_REPLY, CANNOT_STORE_REPLY, RecentKeys, StorageHealth, StorageUnavailableError } from './storage-health.ts';
import { SubagentRuns } from './subagent-runs.ts';
import { OwedOutcomes } from './owed-outcomes.ts';
import { runModelTurn, type TurnRunDeps, type TurnRunner } from './turn-run.ts';
import { UsageLedger } from './usage-ledger.ts';

export type GatewayState = 'stopped' | 'starting' | 'running' | 'stopping' | 'error';

export type { TurnRunner } from './turn-run.ts';

export interface GatewayOptions {
  loc: Locations;
  store: ConfigStore;
  runner: TurnRunner;
  pairing: PairingStore;
  emit: Emit;
  log: Logger;
  adapters?: AdapterFactory;
  homeDir?: string;
  /** Grace period for in-flight turns when stopping, before they are cancelled. */
  stopGraceMs?: number;
  /** The environment turns run with (ANTHROPIC_BASE_URL); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The OS sandbox for agents whose config asks for one (default: this machine's; tests inject detection). */
  sandbox?: ExecSandbox;
  /** Drives heartbeat timers (default: real, unref'd timers; tests inject one they advance). */
  clock?: HeartbeatClock;
}

export class Gateway {
  state: GatewayState = 'stopped';
  startedAt: Date | null = null;
  private loaded!: LoadedConfig;
  private config!: SwitchboardConfig;
  private router!: Router;
  private readonly lanes = new SessionLanes({ maxConcurrent: 4, maxQueuedPerSession: 200, maxQueuedTotal: 5000 });
  /** The state dir's session stores and inbound journal (opened by init(), closed by stop()). */
  private sessions: Promise<SessionStores> | null = null;
  private sessionsClosing: Promise<void> = Promise.resolve();
  private readonly running = new Map<string, AbortController>();
  private readonly channels: ChannelSet;
  private readonly log: ModuleLogger;
  readonly activity = new AgentActivity();
  /** Turns and tokens per agent and local day, kept on disk (usage.summary). */
  readonly usage: UsageLedger;
  /** Pause, daily token budget, per-sender rate limit. */
  readonly controls: AgentControls;
  processed = 0;
  readonly dropped: Record<string, number> = {};
  private readonly autoReset = new AutoReset();
  private readonly a2aChains = new A2AChains();
  /** Lineage of running turns and the sub-agent runs per agent and session (sessions_spawn). */
  readonly subagents = new SubagentRuns();
  private readonly sends = new SendDedupe();
  private readonly cannotStoreTold = new RecentKeys(256);
  /** Whether messages can be stored (full disk, read-only state folder): `status.storage`. */
  readonly storage: StorageHealth;

  private readonly sandbox: ExecSandbox;
  /** One timer per agent with `heartbeat.every` while the gateway runs. */
  readonly heartbeats: HeartbeatScheduler;

  private readonly turnDeps: TurnRunDeps;
  /** Outcome records of turns the disk refused, written once it takes writes again. */
  private readonly owed = new OwedOutcomes((err, owed) =>
    this.log.warn('an owed outcome record is still not stored', { sessionKey: owed.sessionKey, error: err.message }),
  );
  private readonly links: AgentLinks;

  constructor(private readonly opts: GatewayOptions) {
    this.log = createLogger('gateway', opts.log);
    this.sandbox = opts.sandbox ?? new OsSandbox();
    this.storage = new StorageHealth(opts.loc.stateDir, (status) => {
      opts.emit('storage.state', status);
      if (status.ok) {
        this.log.info('storage works again', { stateDir: opts.loc.stateDir });
        void this.owed.settle();
      } else this.log.error('cannot store messages', { reason: status.reason });
    });
    this.channels = new ChannelSet(opts.adapters, (env) => this.accept(env), opts.log);
    this.controls = new AgentControls(opts.loc.stateDir);
    this.usage = new UsageLedger(opts.loc.stateDir);
    this.turnDeps = {
      runner: opts.runner,
      emit: opts.emit,
      log: this.log,
      activity: this.activity,
      usage: this.usage,
      typing: (envelope) => this.channels.typing(envelope),
    };
    this.links = new AgentLinks({
      agent: (agentId) => this.agent(agentId),
      config: () => this.config,
      router: () => this.router,
      running: () => this.state === 'running',
      a2aChains: this.a2aChains,
      subagents: this.subagents,
      storeFor: (agentId) => this.storeFor(agentId),
      cancelTurn: (agentId, sessionKey) => this.cancelTurn(agentId, sessionKey),
      submit: (delivery, lanes) => this.submit(delivery, lanes),
      log: this.log,
    });
    this.heartbeats = new HeartbeatScheduler(
      (agent) => this.heartbeat(agent.id),
      opts.clock,
      (agentId, err) => this.log.error('heartbeat failed', { agentId, error: err.message }),
    );
  }

  /** Loads the config; refuses to construct a gateway on an invalid one. */
  async init(): Promise<void> {
    await this.controls.load();
    const loaded = await this.opts.store.load();
    if (!loaded.check.ok || !loaded.check.config) {
      const errors = loaded.check.issues.filter((i) => i.severity === 'error');
      throw new ControlError(
        'bad_request',
        `${loaded.configPath} is invalid: ${errors.map((e) => `${e.line ? `${e.line}:${e.column} ` : ''}${e.message}`).join('; ')}`,
      );
    }
    const endpoint = this.endpointOf(loaded.check.config);
    if ('refused' in endpoint) throw new ControlError('bad_request', endpoint.refused);
    this.apply(loaded);
    // Replays what a crash left in the inbound journal before the first message is accepted.
    await this.sessionStores();
  }

  get currentConfig(): SwitchboardConfig {
    return this.config;
  }

  get currentLoaded(): LoadedConfig {
    return this.loaded;
  }

  get currentRouter(): Router {
    return this.router;
  }

  get currentLoc(): Locations {
    return this.opts.loc;
  }

  /** The store the config is read from and written through (control-plane config edits). */
  get configStore(): ConfigStore {
    return this.opts.store;
  }

  /** The home folder `~` in config paths expands to. */
  get homeDir(): string {
    return this.opts.homeDir ?? os.homedir();
  }

  /** Errors of the last rejected reload (the gateway kept the previous config). */
  lastReloadErrors: string[] = [];

  /** Resolved once per agent and config (apply() starts a new map): every turn asks for them. */
  private paths = new WeakMap<AgentConfig, AgentPaths>();
  pathsOf(agent: AgentConfig): AgentPaths {
    let p = this.paths.get(agent);
    if (!p) this.paths.set(agent, (p = agentPaths(agent, this.config, this.opts.loc, this.opts.homeDir)));
    return p;
  }

  get inFlight(): number {
    return this.lanes.inFlight;
  }

  get queued(): number {
    return this.lanes.queued;
  }

  channelStatuses() {
    return this.channels.statuses();
  }

  private apply(loaded: LoadedConfig): void {
    this.loaded = loaded;
    this.config = loaded.check.config!;
    this.paths = new WeakMap();
    this.router = compileRouter(this.config);
    const g = this.config.gateway;
    this.lanes.configure({
      maxConcurrent: g.maxConcurrentSessions,
      maxQueuedPerSession: Math.min(g.queueLimit, 1000),
      maxQueuedTotal: g.queueLimit * 5,
    });
    for (const agent of this.config.agents.list) {
      // Asked only when an agent wants the sandbox: detection starts bubblewrap once.
      const support = agent.sandbox.mode !== 'off' ? this.sandbox.support() : null;
      const unavailable = support && !support.available ? sandboxUnavailableReason(support) : null;
      if (this.activity.setUnavailable(agent.id, unavailable)) {
        this.opts.emit('agent.state', {
          agentId: agent.id,
          state: unavailable ? 'unavailable' : 'idle',
          ...(unavailable ? { reason: unavailable } : {}),
        });
      }
    }
  }

  /**
   * Re-reads the config. An invalid new config is rejected with its errors and the old one stays
   * in force; a valid one re-compiles routes and restarts only the channel accounts that changed.
   */
  reload(): Promise<{ ok: boolean; errors: string[] }> {
    // One at a time: a control-plane write reloads at once, and the file watcher fires right after.
    const next = this.reloading.then(() => this.reloadNow());
    this.reloading = next.catch(() => undefined);
    return next;
  }

  private reloading: Promise<unknown> = Promise.resolve();

  private async reloadNow(): Promise<{ ok: boolean; errors: string[] }> {
    const loaded = await this.opts.store.load();
    if (loaded.hash === this.loaded.hash) return { ok: true, errors: [] };
    if (!loaded.check.ok || !loaded.check.config) {
      const errors = loaded.check.issues
        .filter((i) => i.severity === 'error')
        .map((i) => `${i.line ? `${i.line}:${i.column} ` : ''}${i.message}`);
      this.log.warn('config reload rejected; keeping the last good config', { errors });
      this.lastReloadErrors = errors;
      this.opts.emit('config.changed', { hash: loaded.hash, ok: false, errors });
      return { ok: false, errors };
    }
    const endpoint = this.endpointOf(loaded.check.config);
    if ('refused' in endpoint) {
      this.log.warn('config reload rejected; keeping the last good config', { errors: [endpoint.refused] });
      this.lastReloadErrors = [endpoint.refused];
      this.opts.emit('config.changed', { hash: loaded.hash, ok: false, errors: [endpoint.refused] });
      return { ok: false, errors: [endpoint.refused] };
    }
    const before = this.endpointOf(this.config);
    this.apply(loaded);
    this.lastReloadErrors = [];
    await this.prepareAgentFolders();
    if (this.state === 'running') {
      await this.channels.sync(this.config);
      this.heartbeats.plan(this.config);
    }
    // Where the API key goes is worth a line in the log and the dashboard whenever it changes.
    const notices: string[] = [];
    if ('url' in before && before.url !== endpoint.url) {
      const from = redactText(before.url);
      const to = redactText(endpoint.url);
      this.log.info('model endpoint changed', { from, to });
      notices.push(`Model endpoint changed: ${from} → ${to}`);
    }
    this.opts.emit('config.changed', { hash: loaded.hash, ok: true, errors: [], ...(notices.length > 0 ? { notices } : {}) });
    return { ok: true, errors: [] };
  }

  /** Agents added by hand (and the built-in main) get their workspace before their first turn. */
  private prepareAgentFolders(): Promise<unknown> {
    return prepareAgentFolders(this.config.agents.list, (agent) => this.pathsOf(agent), this.log);
  }

  /** The model endpoint turns would use with `config`, or why the environment's is refused. */
  private endpointOf(config: SwitchboardConfig): { url: string } | { refused: string } {
    try {
      return { url: resolveBaseUrl(config, this.opts.env ?? process.env) };
    } catch (err) {
      if (err instanceof InsecureEndpointError) return { refused: err.message };
      throw err;
    }
  }

  async start(): Promise<GatewayState> {
    if (this.state === 'running' || this.state === 'starting') return this.state;
    this.setState('starting');
    // Turns a crash cut off are queued before any new message can be (lane order is arrival
    // order), but wait for the channel accounts: their replies go out through them.
    const channelsUp = Promise.withResolvers<void>();
    try {
      await this.prepareAgentFolders();
      if (!this.cutOffChecked) {
        this.cutOffChecked = true;
        await queueCutOffTurns(
          {
            config: this.config,
            router: this.router,
            lanes: this.lanes,
            storeFor: (agentId) => this.storeFor(agentId),
            send: (envelope, text) => this.channels.send(envelope, text),
            runTurn: (delivery, inbound) => this.runTurn(delivery, inbound),
            emit: this.opts.emit,
            log: this.log,
          },
          channelsUp.promise,
        );
      }
      await this.channels.sync(this.config);
      this.startedAt = new Date();
      this.setState('running');
      this.heartbeats.plan(this.config);
    } catch (err) {
      this.setState('error', (err as Error).message);
    } finally {
      channelsUp.resolve();
    }
    return this.state;
  }

  /** Once per process: the transcripts are checked for cut-off turns at the first start only. */
  private cutOffChecked = false;

  /** Stops channels, lets in-flight turns finish for a grace period, then cancels the rest. */
  async stop(): Promise<GatewayState> {
    if (this.state === 'stopped' || this.state === 'stopping') return this.state;
    this.setState('stopping');
    this.heartbeats.stop();
    await this.channels.stopAll();
    const grace = this.opts.stopGraceMs ?? 10_000;
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), grace).unref());
    if ((await Promise.race([this.lanes.idle().then(() => 'idle' as const), timer])) === 'timeout') {
      for (const controller of this.running.values()) controller.abort(new Error('gateway stopping'));
      await this.lanes.idle();
    }
    await this.owed.settle();
    const sessions = this.sessions;
    this.sessions = null; // a later storeFor() (history while stopped) reopens them, after this close
    this.sessionsClosing = (async () => (await sessions?.catch(() => null))?.close())();
    await this.sessionsClosing;
    await this.usage.flush();
    this.startedAt = null;
    this.setState('stopped');
    return this.state;
  }

  private setState(state: GatewayState, reason?: string): void {
    this.state = state;
    this.opts.emit('gateway.state', { state, ...(reason ? { reason } : {}) });
    this.log.log(state === 'error' ? 'error' : 'info', `gateway ${state}`, reason ? { reason } : undefined);
  }

  private drop(
    envelope: Pick<InboundEnvelope, 'channel' | 'accountId'> & { senderId?: string; messageId?: string },
    reason: string,
    agentId?: string,
  ): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
    this.opts.emit('message.dropped', {
      channel: envelope.channel,
      accountId: envelope.accountId,
      reason,
      ...(envelope.senderId ? { senderId: envelope.senderId } : {}),
      ...(envelope.messageId ? { messageId: envelope.messageId } : {}),
      ...(agentId ? { agentId } : {}),
    });
  }

  private account(envelope: InboundEnvelope): ChannelAccount | undefined {
    return this.config.channels[envelope.channel]?.accounts[envelope.accountId];
  }

  /** Entry point for every channel adapter: access → route → mention gate → lane. */
  async accept(envelope: InboundEnvelope): Promise<void> {
    const dropInfo = { channel: envelope.channel, accountId: envelope.accountId, senderId: envelope.sender.id };
    if (this.state !== 'running') return this.drop(dropInfo, 'gateway_stopped');
    const account = this.account(envelope);
    if (!account) return this.drop(dropInfo, 'unknown_account');
    const access = await checkSenderAccess(envelope, account, this.opts.pairing);
    if (!access.allowed) {
      this.drop(dropInfo, access.reason);
      if (access.reply)
        await this.channels
          .send(envelope, access.reply)
          .catch((err: Error) => this.log.warn('pairing reply failed', { error: err.message }));
      return;
    }
    // Only now, for a sender who is let in, does the adapter's deferred work run (image downloads).
    if (envelope.prepare) envelope = await envelope.prepare();
    const decision = this.router.resolveNormalized({
      channel: envelope.channel,
      accountId: envelope.accountId,
      peer: envelope.peer,
      parentPeer: envelope.parentPeer,
      guildId: envelope.guildId,
      memberRoleIds: envelope.memberRoleIds ?? [],
      teamId: envelope.teamId,
    });
    const targets = this.broadcastTargets(envelope) ?? [decision.agentId];
    const persisted: Promise<unknown>[] = [];
    for (const agentId of targets) {
      const agent = this.agent(agentId);
      if (!agent) continue;
      if (!passesMentionGate(envelope, account, agent)) {
        this.drop(dropInfo, 'no_mention', agentId);
        continue;
      }
      const shared =
        agentId === decision.agentId
          ? decision
          : {
              ...decision,
              agentId,
              sessionKey: decision.sessionKey.replace(/^agent:[^:]+:/, `agent:${agentId}:`),
              mainSessionKey: `agent:${agentId}:${this.config.session.mainKey}`,
            };
      // Owners are per agent: a stranger's DM leaves the main session here (docs/routing.md).
      const sessionKey = ownerAwareSessionKey(
        shared.sessionKey,
        agentId,
        envelope.channel,
        envelope.accountId,
        envelope.peer,
        this.config.session,
        this.isOwner(agent, envelope),
      );
      const routed = sessionKey === shared.sessionKey ? shared : { ...shared, sessionKey };
      if (envelope.kind !== undefined && envelope.kind !== 'message') {
        // Edits and reactions are part of the conversation's record, but are never answered.
        persisted.push(this.storeFor(agentId).then((store) => appendChatEvent(store, routed.sessionKey, envelope)));
        continue;
      }
      persisted.push(this.submit({ agentId, decision: routed, envelope, reply: (text) => this.channels.send(envelope, text) }).persisted);
    }
    const settled = await Promise.allSettled(persisted);
    // Every agent's copy of the images is on disk (or was refused): queued deliveries need not hold the bytes.
    for (const item of envelope.media ?? []) delete item.data;
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Pauses or resumes an agent; open views learn it from `agent.state`. */
  async setPaused(agentId: string, paused: boolean): Promise<void> {
    await this.controls.setPaused(agentId, paused);
    const snapshot = this.activity.snapshot(agentId);
    this.opts.emit('agent.state', {
      agentId,
      state: paused ? 'paused' : snapshot.state,
      ...(snapshot.reason ? { reason: snapshot.reason } : {}),
    });
  }

  /** Checks an account's credentials with its platform (Telegram getMe, Discord users/@me…). */
  probeChannel(channel: string, accountId: string) {
    return this.channels.probe(channel, accountId, this.config);
  }

  /** Probes credentials for an account as it would be configured (the dashboard's token check). */
  probeCandidate(account: ChannelAccount) {
    return this.channels.probeCandidate(account, this.config);
  }

  /** Stops one account until resumeChannels() (WhatsApp re-linking must not race a live socket). */
  suspendChannel(channel: string, accountId: string): Promise<void> {
    return this.channels.suspend(channel, accountId);
  }

  async resumeChannels(): Promise<void> {
    if (this.state === 'running') await this.channels.sync(this.config);
  }

  /** Calls `onChange` whenever an account's status changes (connected, stopped + reason…). */
  watchChannels(onChange: (status: ChannelStatus) => void): { stop(): void } {
    return this.channels.watch(onChange);
  }

  private broadcastTargets(envelope: InboundEnvelope): string[] | undefined {
    const groups = this.config.broadcast?.groups;
    if (!groups || envelope.peer.kind === 'direct') return undefined;
    return groups[envelope.peer.id] ?? (envelope.parentPeer ? groups[envelope.parentPeer.id] : undefined);
  }

  private agent(agentId: string): AgentConfig | undefined {
    return this.config.agents.list.find((a) => a.id === agentId);
  }

  /** The sandbox a turn's exec runs in, when the agent's `sandbox.mode` covers this session. */
  private confinementFor(agent: AgentConfig, sessionKey: string): { confinement?: ExecConfinement } {
    if (!sandboxApplies(agent, sessionKey, this.config)) return {};
    const others = this.config.agents.list.filter((a) => a.id !== agent.id).map((a) => this.pathsOf(a));
    return {
      confinement: {
        sandbox: this.sandbox,
        input: { agent, paths: this.pathsOf(agent), others, loc: this.opts.loc, homeDir: this.homeDir },
      },
    };
  }

  /** The dashboard operator talks to an agent directly (not routed). */
  async webchatSend(
    agentId: string,
    text: string,
    sessionKey?: string,
    clientId?: string,
  ): Promise<{ sessionKey: string; messageId: string; duplicate?: boolean }> {
    if (this.state !== 'running') throw new ControlError('unavailable', 'the gateway is stopped; start it to talk to agents');
    const agent = this.agent(agentId.toLowerCase());
    if (!agent) throw new ControlError('not_found', `agent "${agentId}" does not exist`);
    const decision = this.router.direct(agent.id);
    const key = (sessionKey ?? decision.mainSessionKey).toLowerCase();
    if (key !== decision.mainSessionKey && !key.startsWith(`agent:${agent.id}:webchat:`)) {
      throw new ControlError(
        'bad_request',
        `webchat talks in the agent's main session (${decision.mainSessionKey}) or a webchat session (agent:${agent.id}:webchat:<name>), not ${key}`,
      );
    }
    const messageId = randomUUID();
    const envelope: InboundEnvelope = {
      messageId,
      channel: 'webchat',
      accountId: 'default',
      peer: { kind: 'direct', id: 'operator' },
      sender: { id: 'operator', name: 'Dashboard', verified: true },
      text,
      mentioned: true,
      timestamp: Date.now(),
    };
    if (isStopCommand(text)) {
      // Answered like a chat's `/stop`, but after this request's answer: a client learns the
      // message id from the answer and matches the acknowledgement (message.outbound) by it.
      const delivery = { agentId: agent.id, decision: { ...decision, sessionKey: key }, envelope };
      setImmediate(() => this.stopCommand(delivery));
      return { sessionKey: key, messageId };
    }
    if (isResetCommand(text)) {
      if (!(await this.resetSession({ agentId: agent.id, decision: { ...decision, sessionKey: key }, envelope }, this.lanes))) {
        throw new ControlError('unavailable', 'the reset was not accepted: too many messages are waiting');
      }
      return { sessionKey: key, messageId };
    }
    // A retry of a send already stored (or still being stored) under this clientId is answered
    // with the original message id; nothing is stored twice.
    const claim = clientId
      ? await this.sends.claim(`${agent.id}\n${key}`, clientId, () => this.findClientId(agent.id, key, clientId))
      : null;
    if (claim && 'duplicate' in claim) return { sessionKey: key, messageId: claim.duplicate, duplicate: true };
    // The reply streams as events; the answer to the request means "stored durably".
    const { persisted } = this.submit({
      agentId: agent.id,
      decision: { ...decision, sessionKey: key },
      envelope,
      ...(clientId ? { clientId } : {}),
    });
    let stored: TranscriptRecord | undefined;
    try {
      stored = await persisted;
    } finally {
      claim?.settle(stored ? messageId : null);
    }
    if (!stored) throw new ControlError('unavailable', 'the message was not accepted: too many messages are waiting');
    return { sessionKey: key, messageId };
  }

  /** The message id of the stored inbound record carrying `clientId` among the session's last records, or null. */
  private async findClientId(agentId: string, sessionKey: string, clientId: string): Promise<string | null> {
    const store = await this.storeFor(agentId);
    if (!store.get(sessionKey)) return null;
    const { records } = await store.history(sessionKey, { limit: DEDUPE_SCAN_RECORDS });
    const hit = records.find((r) => r.type === 'message' && r.clientId === clientId && typeof r.messageId === 'string');
    return hit ? (hit.messageId as string) : null;
  }

  cancelTurn(agentId: string, sessionKey: string): boolean {
    const controller = this.running.get(laneKey(agentId, sessionKey));
    controller?.abort(new Error('cancelled by the operator'));
    return controller !== undefined;
  }

  /** Whether a turn of this session runs or waits in its lane. */
  sessionBusy(agentId: string, sessionKey: string): boolean {
    const key = laneKey(agentId, sessionKey);
    return this.running.has(key) || this.lanes.hasWork(key) || this.links.hasWork(key);
  }

  /**
   * Deletes the session listed under `key` (sessions.list's key) through the live store, so the
   * inbound journal holds a tombstone for it, then the images only that transcript referenced.
   * Refused while a turn runs or waits in that session. Media cleanup never fails the delete: what
   * could not be removed is logged and stays on disk.
   */
  async deleteSession(agentId: string, key: string): Promise<boolean> {
    const store = await this.storeFor(agentId);
    const entry = store.get(key);
    if (!entry) return false;
    // An archived transcript has no turn of its own; the live one must not vanish under a turn.
    if (!entry.archived && this.sessionBusy(agentId, entry.sessionKey)) {
      throw new ControlError(
        'conflict',
        `agent "${agentId}" is answering in ${entry.sessionKey} right now; stop the reply (turn.cancel) or wait for it, then delete the session again`,
      );
    }
    const log = this.log;
    // Read before the transcript goes: its records are the only list of the images it used.
    const file = store.fileOf(key);
    const refs = file
      ? await transcriptMediaRefs(file).catch((err: Error) => {
          log.warn('could not read the media references of a session being deleted; its images stay on disk', {
            agentId,
            key,
            error: err.message,
          });
          return [];
        })
      : [];
    const deleted = await store.delete(key);
    if (!deleted) return false;
    log.info('session deleted', { agentId, key, sessionId: entry.sessionId });
    if (refs.length === 0) return true;
    try {
      const media = await removeUnreferencedMedia(this.opts.loc.stateDir, agentId, refs);
      log.info('session media removed', { agentId, key, removed: media.removed.length, kept: media.kept.length });
      for (const f of media.failed)
        log.warn('could not remove an image of the deleted session', { agentId, key, file: f.file, error: f.error });
    } catch (err) {
      log.warn('could not check which images of the deleted session are still used; they stay on disk', {
        agentId,
        key,
        error: (err as Error).message,
      });
    }
    return true;
  }

  storeFor(agentId: string): Promise<AgentSessionStore> {
    return this.sessionStores().then((s) => s.store(agentId));
  }

  private sessionStores(): Promise<SessionStores> {
    if (!this.sessions) {
      const stateDir = this.opts.loc.stateDir;
      const opening = this.sessionsClosing
        .catch(() => undefined)
        .then(() =>
          SessionStores.open(stateDir, {
            onNotice: (agentId, notice) => this.storeNotice(agentId, notice),
            // Replies, resets and index saves feed status.storage as inbound messages do.
            storage: { failed: (err) => void this.storage.failed(err), succeeded: (where) => this.storage.succeeded(where) },
          }),
        );
      this.sessions = opening;
      opening.catch(() => {
        if (this.sessions === opening) this.sessions = null;
      });
    }
    return this.sessions;
  }

  private storeNotice(agentId: string | null, notice: StoreNotice | JournalNotice): void {
    const fields: Record<string, unknown> = { ...(agentId ? { agentId } : {}), notice: notice.kind };
    if (notice.kind === 'journal-recovered') {
      Object.assign(fields, {
        entries: notice.entries,
        appended: notice.appended,
        sessions: notice.sessions.map((s) => `${s.agentId}:${s.sessionKey} +${s.appended}`),
      });
    }
    if (notice.kind === 'journal-replay-failed' || notice.kind === 'journal-checkpoint-failed') fields.error = notice.error;
    const failed = notice.kind === 'journal-replay-failed' || notice.kind === 'journal-checkpoint-failed';
    this.log.log(failed ? 'error' : 'warn', notice.kind.startsWith('journal-') ? 'inbound journal notice' : 'session store notice', fields);
  }

  /**
   * Queues a message in its session lane and persists it at once (durably: its inbound-journal
   * entry is fsync'ed, shared with concurrent messages of every session), so everything the
   * gateway acknowledged survives a crash even while it waits behind an earlier turn. The lane
   * slot is reserved first, so lane order is arrival order; the turn waits for the persisted record.
   * Resolves when the inbound record is durable (undefined when the message was not accepted).
   */
  private submit(
    delivery: Delivery,
    lanes = this.lanes,
  ): { persisted: Promise<TranscriptRecord | undefined>; done: Promise<TurnResult | undefined> } {
    const { envelope, decision } = delivery;
    // `/stop` must not wait behind the turn it stops. A sub-agent's task is never a command.
    if (!delivery.subagent && isStopCommand(envelope.text)) {
      this.stopCommand(delivery);
      return { persisted: Promise.resolve(undefined), done: Promise.resolve(undefined) };
    }
    if (!delivery.subagent && isResetCommand(envelope.text)) {
      const done = this.resetSession(delivery, lanes).then(
        () => undefined,
        (err: Error) => {
          // A refusal for storage has been told to the sender already.
          if (!(err instanceof StorageUnavailableError))
            this.log.error('session reset failed', { agentId: delivery.agentId, error: err.message });
          return undefined;
        },
      );
      return { persisted: Promise.resolve(undefined), done };
    }
    const { promise: record, resolve: resolveRecord, reject: rejectRecord } = Promise.withResolvers<TranscriptRecord>();
    let done: Promise<TurnResult | undefined>;
    try {
      done = lanes.run(laneKey(delivery.agentId, decision.sessionKey), async () => this.runTurn(delivery, await record));
    } catch (err) {
      if (!(err instanceof LaneOverflowError)) throw err;
      this.drop(
        { channel: envelope.channel, accountId: envelope.accountId, senderId: envelope.sender.id, messageId: envelope.messageId },
        'queue_full',
        delivery.agentId,
      );
      void delivery.reply?.('Sorry — too many messages are waiting; please try again in a moment.').catch(() => undefined);
      return { persisted: Promise.resolve(undefined), done: Promise.resolve(undefined) };
    }
    this.persistInbound(delivery).then(resolveRecord, (err: unknown) => {
      rejectRecord(err);
      if (!(err instanceof StorageUnavailableError)) return;
      this.drop(
        { channel: envelope.channel, accountId: envelope.accountId, senderId: envelope.sender.id },
        'storage_unavailable',
        delivery.agentId,
      );
      // The sender learns at once that the message is not in, rather than waiting for an answer;
      // once per message, however often the platform redelivers it meanwhile.
      if (this.cannotStoreTold.first(`${envelope.channel}\n${envelope.accountId}\n${envelope.messageId}`))
        delivery.reply?.(CANNOT_STORE_REPLY).catch(() => undefined);
    });
    done = done.catch((err: Error) => {
      this.log.error('message processing failed', { agentId: delivery.agentId, error: err.message });
      return undefined;
    });
    return { persisted: record, done };
  }

  /**
   * `/stop`: cancels the session's running turn at once and says so, to the chat (reply) and to
   * the dashboard (message.outbound, like the `/new` confirmation). The cancelled turn itself ends
   * with its own outbound (failure `cancelled`).
   */
  private stopCommand({ agentId, decision, envelope, reply }: Delivery): void {
    const stopped = this.cancelTurn(agentId, decision.sessionKey);
    const text = stopped ? STOP_REPLY : NOTHING_TO_STOP_REPLY;
    this.log.info(stopped ? 'turn stopped by command' : 'stop command with nothing running', {
      agentId,
      sessionKey: decision.sessionKey,
    });
    emitOwnReply(this.opts.emit, agentId, decision.sessionKey, envelope, text);
    void reply?.(text).catch((err: Error) => this.log.warn('sending the stop confirmation failed', { agentId, error: err.message }));
  }

  /**
   * `/new` / `/reset`: archives the conversation's session and starts a new one, in lane order
   * (after the turns queued before it), then confirms without a model turn.
   */
  private resetSession({ agentId, decision, envelope, reply }: Delivery, lanes: SessionLanes): Promise<boolean> {
    const sessionKey = decision.sessionKey;
    return queueSessionReset(
      lanes,
      laneKey(agentId, sessionKey),
      async () => {
        try {
          await (await this.storeFor(agentId)).reset(sessionKey);
        } catch (err) {
          const refused = this.storage.failed(err);
          if (!(refused instanceof StorageUnavailableError)) throw err;
          // The old session stays live (store.reset undoes the archive): say so, briefly, in the chat.
          this.log.warn('session reset refused: storage', { agentId, sessionKey, reason: refused.reason });
          emitOwnReply(this.opts.emit, agentId, sessionKey, envelope, CANNOT_RESET_REPLY, { failure: 'storage_unavailable' });
          await reply?.(CANNOT_RESET_REPLY).catch(() => undefined);
          throw refused;
        }
        this.log.info('session reset by command', { agentId, sessionKey });
        emitOwnReply(this.opts.emit, agentId, sessionKey, envelope, RESET_REPLY);
        await reply?.(RESET_REPLY).catch((err: Error) =>
          this.log.warn('sending the reset confirmation failed', { agentId, error: err.message }),
        );
      },
      reply,
    );
  }

  /** sessions_send: see AgentLinks.agentMessage. */
  agentMessage(from: string, to: string, text: string, signal: AbortSignal): ReturnType<AgentLinks['agentMessage']> {
    return this.links.agentMessage(from, to, text, signal);
  }

  /** sessions_spawn: see AgentLinks.spawnSubagent. */
  spawnSubagent(task: string, label: string | undefined, signal: AbortSignal): ReturnType<AgentLinks['spawnSubagent']> {
    return this.links.spawnSubagent(task, label, signal);
  }

  /** Persists the inbound record; a storage failure becomes an `unavailable` error naming the cause and folder. */
  private async persistInbound(delivery: Delivery): Promise<TranscriptRecord> {
    try {
      const record = await this.persistInboundNow(delivery);
      this.storage.succeeded();
      return record;
    } catch (err) {
      throw this.storage.failed(err);
    }
  }

  /**
   * One heartbeat turn of `agentId` in its main session (docs/heartbeat-subagents.md): skipped
   * while the gateway is not running, the agent is paused or over its daily budget, or its
   * HEARTBEAT.md exists but holds no task. Resolves with what happened, once the turn is over.
   */
  async heartbeat(agentId: string): Promise<{ ran: true; result?: TurnResult } | { ran: false; reason: string }> {
    const agent = this.agent(agentId);
    const hb = agent?.heartbeat;
    if (!agent || !hb) return { ran: false, reason: 'no heartbeat configured' };
    if (this.state !== 'running') return { ran: false, reason: 'gateway not running' };
    const snapshot = this.activity.snapshot(agentId);
    const tokensToday = snapshot.today.inputTokens + snapshot.today.outputTokens;
    const refusal =
      snapshot.state === 'unavailable'
        ? { reason: 'agent_unavailable' }
        : this.controls.refusal(agent, this.config, HEARTBEAT_SENDER, tokensToday, true);
    if (refusal) {
      this.log.info('heartbeat skipped', { agentId, reason: refusal.reason });
      return { ran: false, reason: refusal.reason };
    }
    const prompt = await heartbeatPrompt(hb, this.pathsOf(agent).workspace);
    if ('skip' in prompt) {
      this.log.info('heartbeat skipped', { agentId, reason: prompt.skip });
      return { ran: false, reason: prompt.skip };
    }
    const envelope = heartbeatEnvelope(prompt.text);
    const reply = heartbeatReply(hb.target, (message) => this.channels.post(message));
    const result = await this.submit({ agentId, decision: this.router.direct(agentId), envelope, reply, heartbeat: true }).done;
    return { ran: true, ...(result ? { result } : {}) };
  }

  private async persistInboundNow(delivery: Delivery): Promise<TranscriptRecord> {
    const { agentId, decision } = delivery;
    const store = await this.storeFor(agentId);
    const agent = this.agent(agentId);
    const due = agent ? await this.autoReset.check(store, decision.sessionKey, resetPolicy(agent, this.config)) : null;
    if (due) this.log.info('session reset automatically', { agentId, sessionKey: decision.sessionKey, reason: due });
    const inbound = await appendInbound(store, this.opts.loc.stateDir, delivery);
    this.processed++;
    emitInbound(this.opts.emit, delivery, inbound);
    return inbound;
  }

  private async runTurn(delivery: Delivery, inbound: TranscriptRecord): Promise<TurnResult | undefined> {
    const { agentId, decision, envelope, reply, a2a, subagent } = delivery;
    const agent = this.agent(agentId);
    const store = await this.storeFor(agentId);
    // An earlier question of this session whose outcome the disk refused gets it first, so it is
    // never merged into this turn's question.
    await this.owed.settle(laneKey(agentId, decision.sessionKey));
    const snapshot = this.activity.snapshot(agentId);
    if (!agent || snapshot.state === 'unavailable') {
      this.drop(
        { channel: envelope.channel, accountId: envelope.accountId, senderId: envelope.sender.id, messageId: envelope.messageId },
        'agent_unavailable',
        agentId,
      );
      const text = unavailableReply(snapshot.reason ?? 'it is not configured on this gateway');
      await store.append(decision.sessionKey, { type: 'error', kind: 'agent_unavailable', message: text, inReplyTo: inbound.seq });
      await reply?.(text).catch(() => undefined);
      emitOwnReply(this.opts.emit, agentId, decision.sessionKey, envelope, text, { failure: 'agent_unavailable' });
      return undefined;
    }
    // A sub-agent turn is part of its parent's work, already counted against the sender's rate.
    const operator = (envelope.channel === 'webchat' && envelope.sender.id === 'operator') || subagent !== undefined;
    const refusal = this.controls.refusal(
      agent,
      this.config,
      envelope.sender.id,
      snapshot.today.inputTokens + snapshot.today.outputTokens,
      operator,
    );
    if (refusal) {
      this.drop(
        { channel: envelope.channel, accountId: envelope.accountId, senderId: envelope.sender.id, messageId: envelope.messageId },
        refusal.reason,
        agentId,
      );
      await store.append(decision.sessionKey, { type: 'error', kind: refusal.reason, message: refusal.reply, inReplyTo: inbound.seq });
      await reply?.(refusal.reply).catch(() => undefined);
      emitOwnReply(this.opts.emit, agentId, decision.sessionKey, envelope, refusal.reply, { failure: refusal.reason });
      return undefined;
    }
    const controller = subagent?.controller ?? new AbortController();
    const runKey = laneKey(agentId, decision.sessionKey);
    this.running.set(runKey, controller);
    if (a2a) this.a2aChains.attach(controller.signal, a2a);
    const isOwner = subagent ? subagent.isOwner : this.isOwner(agent, envelope);
    const depth = subagent?.depth ?? 0;
    this.subagents.attach(controller.signal, {
      agentId,
      sessionKey: decision.sessionKey,
      seq: inbound.seq,
      depth,
      isOwner,
      sender: { id: envelope.sender.id, ...(envelope.sender.name ? { name: envelope.sender.name } : {}) },
      ...(a2a ? { a2a } : {}),
    });
    const result = await runModelTurn(
      this.turnDeps,
      delivery,
      {
        agent,
        config: this.config,
        paths: this.pathsOf(agent),
        loc: this.opts.loc,
        store,
        sessionKey: decision.sessionKey,
        signal: controller.signal,
        ...this.confinementFor(agent, decision.sessionKey),
        ...(depth > 0 ? { spawnDepth: depth } : {}),
        inboundSeq: inbound.seq,
        inbound: { text: envelope.text, sender: envelope.sender, channel: envelope.channel, route: decision, isOwner },
      },
      () => this.running.delete(runKey),
    );
    if (result.unrecorded && result.failure) {
      this.owed.owe(runKey, {
        store,
        sessionKey: decision.sessionKey,
        record: { type: 'error', kind: result.failure.kind, message: result.failure.message, inReplyTo: inbound.seq },
      });
    }
    return result;
  }

  private isOwner(agent: AgentConfig, envelope: InboundEnvelope): boolean {
    if (envelope.channel === 'webchat' && (envelope.sender.id === 'operator' || envelope.sender.id === HEARTBEAT_SENDER)) return true;
    return envelope.sender.verified && agent.owners.includes(`${envelope.channel}:${envelope.sender.id}`);
  }

  /** Waits until no message is queued or running (tests, shutdown). */
  idle(): Promise<void> {
    return this.lanes.idle();
  }
}
