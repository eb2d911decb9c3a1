// Route resolution benchmark (issue: Foundation): 10 / 1,000 / 10,000 bindings, 1,000,000 inbound
// messages (half from bound peers, half random senders, 40% group messages), plus a "redundant"
// config of 10,000 overlapping fallbacks in one channel. Reports resolutions/s and compile cost.
import { checkConfigValue, type RawBinding } from '../src-shared/config/index.ts';
import { compileRouter, type InboundInput } from '../src-shared/routing/index.ts';
import { spawnSync } from 'node:child_process';
import { benchEntry, now, report, type BenchOptions } from './harness.ts';

const CHANNELS = ['telegram', 'discord', 'whatsapp'] as const;
const ACCOUNTS = ['default', 'acc1', 'acc2'] as const;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

interface Workload {
  bindings: RawBinding[];
  bound: InboundInput[];
}

function peerFor(channel: string, i: number, group: boolean): { kind: string; id: string } {
  if (channel === 'whatsapp')
    return group ? { kind: 'group', id: `1203630${i}@g.us` } : { kind: 'direct', id: `+1555${String(i).padStart(7, '0')}` };
  if (channel === 'discord')
    return group ? { kind: 'channel', id: `9${String(i).padStart(17, '0')}` } : { kind: 'direct', id: `8${String(i).padStart(17, '0')}` };
  return group ? { kind: 'group', id: `-100${i}` } : { kind: 'direct', id: `${100000 + i}` };
}

/** Mostly unique peer bindings, plus the fallbacks a real multi-agent setup has. */
function mixedWorkload(count: number, r: () => number): Workload {
  const bindings: RawBinding[] = [];
  const bound: InboundInput[] = [];
  const agents = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];
  const fallbacks = Math.max(6, Math.floor(count * 0.02));
  for (let i = 0; bindings.length < count - fallbacks; i++) {
    const channel = CHANNELS[i % 3]!;
    const accountId = ACCOUNTS[Math.floor(r() * 3)]!;
    const group = r() < 0.4;
    const peer = peerFor(channel, i, group);
    bindings.push({ agentId: agents[i % agents.length]!, match: { channel, accountId, peer } });
    bound.push({
      channel,
      accountId,
      peer,
      ...(channel === 'discord' && group ? { guildId: `G${i % 50}`, memberRoleIds: [`R${i % 7}`] } : {}),
    });
  }
  for (let f = 0; bindings.length < count; f++) {
    const channel = CHANNELS[f % 3]!;
    switch (f % 6) {
      case 0:
        bindings.push({ agentId: 'a1', match: { channel, accountId: ACCOUNTS[f % 3]! } });
        break;
      case 1:
        bindings.push({ agentId: 'a2', match: { channel, accountId: '*' } });
        break;
      case 2:
        bindings.push({ agentId: 'a3', match: { channel, accountId: '*', peer: { kind: 'group', id: '*' } } });
        break;
      case 3:
        bindings.push({ agentId: 'a4', match: { channel: 'discord', accountId: '*', guildId: `G${f % 50}` } });
        break;
      case 4:
        bindings.push({
          agentId: 'a5',
          match: { channel: 'discord', accountId: '*', guildId: `G${f % 50}`, roles: [`R${f % 7}`, `R${(f + 1) % 7}`] },
        });
        break;
      default:
        bindings.push({ agentId: 'a6', match: { channel, accountId: ACCOUNTS[(f + 1) % 3]!, peer: { kind: 'direct', id: '*' } } });
    }
  }
  return { bindings, bound };
}

/** 10,000 bindings, most of them overlapping wildcard/account/guild fallbacks in one channel. */
function redundantWorkload(count: number, r: () => number): Workload {
  const bindings: RawBinding[] = [];
  const bound: InboundInput[] = [];
  for (let i = 0; bindings.length < count; i++) {
    const accountId = ACCOUNTS[i % 3]!;
    const g = `G${Math.floor(r() * 40)}`;
    switch (i % 8) {
      case 0:
        bindings.push({ agentId: 'a1', match: { channel: 'discord', accountId: '*', peer: { kind: 'channel', id: '*' } } });
        break;
      case 1:
        bindings.push({ agentId: 'a2', match: { channel: 'discord', accountId, peer: { kind: 'channel', id: '*' }, guildId: g } });
        break;
      case 2:
        bindings.push({ agentId: 'a3', match: { channel: 'discord', accountId, guildId: g, roles: [`R${i % 13}`, `R${(i + 5) % 13}`] } });
        break;
      case 3:
        bindings.push({ agentId: 'a4', match: { channel: 'discord', accountId, guildId: g } });
        break;
      case 4:
        bindings.push({ agentId: 'a5', match: { channel: 'discord', accountId } });
        break;
      case 5:
        bindings.push({ agentId: 'a6', match: { channel: 'discord', accountId: '*' } });
        break;
      case 6:
        bindings.push({ agentId: 'a7', match: { channel: 'discord', accountId, peer: { kind: 'direct', id: '*' } } });
        break;
      default: {
        const peer = peerFor('discord', i, true);
        bindings.push({ agentId: 'a0', match: { channel: 'discord', accountId, peer, guildId: g, roles: [`R${i % 13}`] } });
        bound.push({ channel: 'discord', accountId, peer, guildId: g, memberRoleIds: [`R${i % 13}`] });
      }
    }
  }
  return { bindings, bound };
}

function messages(w: Workload, n: number, r: () => number, channels: readonly string[]): InboundInput[] {
  const out: InboundInput[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0 && w.bound.length > 0) {
      out[i] = w.bound[Math.floor(r() * w.bound.length)]!;
      continue;
    }
    const channel = channels[Math.floor(r() * channels.length)]!;
    const group = r() < 0.4;
    const m: InboundInput = {
      channel,
      accountId: ACCOUNTS[Math.floor(r() * 3)]!,
      peer: peerFor(channel, 5_000_000 + Math.floor(r() * 1_000_000), group),
    };
    if (channel === 'discord' && group) {
      m.guildId = `G${Math.floor(r() * 60)}`;
      m.memberRoleIds = [`R${Math.floor(r() * 20)}`];
      m.parentPeer = r() < 0.2 ? peerFor('discord', Math.floor(r() * 1000), true) : null;
    }
    out[i] = m;
  }
  return out;
}

function agentsFor(): { id: string }[] {
  return ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'].map((id) => ({ id }));
}

/** One configuration's figures, in a process of its own (bench/route-child.ts). */
export function runRouteBench(opts: BenchOptions, workload: 'mixed' | 'redundant', count: number, n: number): void {
  const r = lcg(count * 7 + (workload === 'mixed' ? 1 : 2));
  const w = workload === 'mixed' ? mixedWorkload(count, r) : redundantWorkload(count, r);
  const check = checkConfigValue({ agents: { list: agentsFor() }, bindings: w.bindings });
  if (!check.config)
    throw new Error(`bench config invalid: ${JSON.stringify(check.issues.filter((i) => i.severity === 'error').slice(0, 3))}`);
  const t0 = now();
  const router = compileRouter(check.config);
  const compileMs = now() - t0;
  // Adapters get messages as JSON off the wire, so the bench's messages come through JSON.parse
  // too (flat strings, one object per message), and setup garbage is collected before timing.
  const inputs = JSON.parse(JSON.stringify(messages(w, n, r, workload === 'mixed' ? CHANNELS : ['discord']))) as InboundInput[];
  (globalThis as { gc?: () => void }).gc?.();
  // Warm up the JIT on a slice, then measure the whole stream.
  for (let i = 0; i < Math.min(50_000, n); i++) router.resolve(inputs[i]!);
  // Three timed passes over the whole stream; the median is reported (noise only slows a pass down,
  // but the median keeps one lucky pass from flattering the figure).
  const rates: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    let sink = 0;
    const t1 = now();
    for (let i = 0; i < n; i++) sink += router.resolve(inputs[i]!).sessionKey.length;
    rates.push(n / ((now() - t1) / 1000));
    if (sink === 0) throw new Error('nothing resolved');
  }
  rates.sort((a, b) => a - b);
  report(
    opts,
    { bench: 'route.resolve', params: { bindings: count, workload }, value: rates[1]!, unit: 'ops/s' },
    count === 10_000 ? (workload === 'mixed' ? '>= 2,000,000' : '>= 1,000,000') : undefined,
  );
  report(opts, { bench: 'route.compile', params: { bindings: count, workload }, value: compileMs, unit: 'ms' });
}

/**
 * Each configuration runs in its own process: a million-message heap left by the previous one
 * would otherwise make the next figure depend on the order the benches ran in.
 */
export function routeBench(opts: BenchOptions): void {
  const n = opts.smoke ? 100_000 : 1_000_000;
  const runs: [string, number][] = [
    ...(opts.smoke ? [10, 10_000] : [10, 1_000, 10_000]).map((c) => ['mixed', c] as [string, number]),
    ['redundant', 10_000],
  ];
  for (const [workload, count] of runs) {
    const child = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        ...benchEntry('route-child'),
        workload,
        String(count),
        String(n),
        opts.json ? 'json' : 'text',
        opts.smoke ? 'smoke' : 'full',
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (child.status !== 0) throw new Error(`route bench ${workload}/${count} failed`);
  }
}
