// Turns cut off by a crash (docs/architecture.md#cut-off-turns), with `switchboard gateway` as a
// real process killed with SIGKILL: on restart every acknowledged message gets exactly one outcome —
// its turn run once, or a note to the sender — and a tool that may have run is never run again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ControlEvents, ControlMethods } from '../../src-shared/protocol/methods.ts';
import { connectControl } from '../../src-main/control/ws-client.ts';
import { openGatewayHost } from '../../src-main/gateway/host.ts';
import { silentLogger } from '../../src-main/log.ts';
import { createGate, lastUserText, startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';
import { startTelegramPeer, tg, type TelegramPeer } from '../peers/telegram.ts';
import { until } from '../helpers/wait.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SESSION = 'agent:main:main';
/** Each test starts the gateway process two or three times. */
const PROCESS_TEST_MS = 60_000;
let peer: AnthropicPeer;
let dir: string | undefined;
let tgPeer: TelegramPeer | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  peer = await startAnthropicPeer();
});
afterAll(async () => {
  await peer.close();
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
  await tgPeer?.close();
  tgPeer = undefined;
  peer.reset();
});

async function stateDirWith(config: Record<string, unknown> = {}): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-crash-'));
  await writeFile(path.join(dir, 'switchboard.json'), JSON.stringify({ models: { anthropic: { baseUrl: peer.url } }, ...config }));
  return dir;
}

/** The environment without a D-Bus session: no keychain, whatever the developer's desktop has. */
function withoutDbus(): NodeJS.ProcessEnv {
  const { DBUS_SESSION_BUS_ADDRESS: _bus, DISPLAY: _display, ...rest } = process.env;
  return rest;
}

/** Starts `switchboard gateway`; resolves once it printed its control line (it has started by then). */
function startGateway(stateDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bin/switchboard.mjs', 'gateway', '--port', '0', '--state-dir', stateDir], {
    cwd: ROOT,
    env: { ...withoutDbus(), ANTHROPIC_API_KEY: 'sk-test-crash', HOME: stateDir, SWITCHBOARD_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^control: (ws:\/\/127\.0\.0\.1:\d+\/control)$/m.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}: ${out}`)));
  });
}

async function client(stateDir: string, url: string) {
  const token = (await readFile(path.join(stateDir, 'control-token'), 'utf8')).trim();
  return connectControl<ControlMethods, ControlEvents>(url, token, { timeoutMs: 5000 });
}

async function kill9(child: ChildProcess): Promise<void> {
  const gone = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

type Rec = Record<string, unknown> & { seq: number; type: string };
type Client = Awaited<ReturnType<typeof client>>;
const history = async (c: Client, sessionKey = SESSION, agentId = 'main') =>
  (await c.request('sessions.history', { agentId, sessionKey, limit: 1000 })).records as Rec[];
const inbound = (records: Rec[]) => records.filter((r) => r.type === 'message' && r.role === 'user');
/** The records that end a turn: final assistant messages and errors. */
const outcomes = (records: Rec[]) =>
  records.filter((r) => r.type === 'error' || (r.type === 'message' && r.role === 'assistant' && r.stopReason !== 'tool_use'));

describe('turns cut off by kill -9', () => {
  it(
    'runs the in-flight and the queued turn once each, in order, and a later restart sends nothing',
    async () => {
      const stateDir = await stateDirWith();
      const gate = createGate();
      peer.setDefault(() => ({ kind: 'hold', release: gate.promise, text: 'never completes' }));
      const first = await startGateway(stateDir);
      const c = await client(stateDir, first.url);
      await c.request('webchat.send', { agentId: 'main', text: 'first' });
      await peer.waitForRequest(1);
      await c.request('webchat.send', { agentId: 'main', text: 'second' }); // acknowledged: durably queued
      c.close();
      await kill9(first.child);
      gate.open();
      peer.reset(); // echo from here on; requests counted from the restart

      const second = await startGateway(stateDir);
      const c2 = await client(stateDir, second.url);
      await until(async () => outcomes(await history(c2)).length >= 2, 'both turns answered');
      const records = await history(c2);
      const [a, b] = inbound(records);
      expect([a?.text, b?.text]).toEqual(['first', 'second']);
      expect(outcomes(records).map((r) => [r.inReplyTo, r.text])).toEqual([
        [a!.seq, 'echo: first'],
        [b!.seq, 'echo: second'],
      ]);
      expect(peer.requests.map((r) => lastUserText(r.body))).toEqual(['first', 'second']);
      c2.close();
      await kill9(second.child);

      // Everything was answered: the next start queues nothing, asks the model nothing, records nothing.
      const third = await startGateway(stateDir);
      const c3 = await client(stateDir, third.url);
      const status = await c3.request('status', {});
      expect([status.inFlight, status.queued]).toEqual([0, 0]);
      expect(peer.requestCount).toBe(2);
      expect((await history(c3)).length).toBe(records.length);
      c3.close();
    },
    PROCESS_TEST_MS,
  );

  it(
    'closes a message older than session.resumeWindow with one note, and never runs it',
    async () => {
      const stateDir = await stateDirWith({ session: { resumeWindow: '1s' } });
      const gate = createGate();
      peer.setDefault(() => ({ kind: 'hold', release: gate.promise }));
      const first = await startGateway(stateDir);
      const c = await client(stateDir, first.url);
      await c.request('webchat.send', { agentId: 'main', text: 'too late' });
      await peer.waitForRequest(1);
      c.close();
      await kill9(first.child);
      gate.open();
      peer.reset();
      await new Promise((r) => setTimeout(r, 1500)); // the message ages past the 1 s window

      const second = await startGateway(stateDir);
      const c2 = await client(stateDir, second.url);
      await until(async () => outcomes(await history(c2)).length >= 1, 'the note');
      const records = await history(c2);
      const [msg] = inbound(records);
      const hhmm = /^(\d\d):(\d\d)$/;
      const sent = new Date(String(msg!.ts));
      const when = `${String(sent.getHours()).padStart(2, '0')}:${String(sent.getMinutes()).padStart(2, '0')}`;
      expect(when).toMatch(hhmm);
      expect(outcomes(records)).toEqual([
        expect.objectContaining({
          type: 'error',
          kind: 'interrupted',
          inReplyTo: msg!.seq,
          message: `I was restarted and lost track of your message from ${when} — please send it again`,
        }),
      ]);
      expect(peer.requestCount).toBe(0);
      c2.close();
    },
    PROCESS_TEST_MS,
  );

  it(
    'tells the dashboard once, as message.outbound in the session, that a webchat message past the window was lost',
    async () => {
      const stateDir = await stateDirWith({ session: { resumeWindow: '1s' } });
      const gate = createGate();
      peer.setDefault(() => ({ kind: 'hold', release: gate.promise }));
      const first = await startGateway(stateDir);
      const c = await client(stateDir, first.url);
      const { messageId } = await c.request('webchat.send', { agentId: 'main', text: 'too late' });
      await peer.waitForRequest(1);
      c.close();
      await kill9(first.child);
      gate.open();
      peer.reset();
      await new Promise((r) => setTimeout(r, 1500)); // the message ages past the 1 s window

      // The same gateway in this process, so its events are watched from before it starts.
      const host = await openGatewayHost({
        loc: { stateDir, configPath: path.join(stateDir, 'switchboard.json') },
        version: 'test',
        log: silentLogger,
        homeDir: stateDir,
        env: { ANTHROPIC_API_KEY: 'sk-test-crash' },
      });
      const outbound: Record<string, unknown>[] = [];
      host.service.onEvent((event, data) => event === 'message.outbound' && outbound.push(data as Record<string, unknown>));
      try {
        await host.gateway.start();
        await host.gateway.idle();
        expect(outbound).toEqual([
          expect.objectContaining({
            sessionKey: SESSION,
            messageId,
            channel: 'webchat',
            failure: 'interrupted',
            text: expect.stringMatching(/^I was restarted and lost track of your message from \d\d:\d\d — please send it again$/),
          }),
        ]);
        expect(peer.requestCount).toBe(0);
      } finally {
        await host.close();
      }
    },
    PROCESS_TEST_MS,
  );

  it(
    'closes a turn cut off after a tool call without its result, and never runs the tool again',
    async () => {
      const stateDir = await stateDirWith({ agents: { list: [{ id: 'main', tools: { allow: ['exec'], exec: { unsandboxed: true } } }] } });
      peer.enqueue({ kind: 'tool_use', name: 'exec', input: { command: ['sleep', '30'] } });
      const first = await startGateway(stateDir);
      const c = await client(stateDir, first.url);
      const started = new Promise<void>((resolve) => c.on('agent.tool', (d) => d.phase === 'call' && resolve()));
      await c.request('webchat.send', { agentId: 'main', text: 'run the long thing' });
      await started; // the tool_call record is written before the event
      c.close();
      await kill9(first.child);
      peer.reset();

      const second = await startGateway(stateDir);
      const c2 = await client(stateDir, second.url);
      await until(async () => outcomes(await history(c2)).length >= 1, 'the note');
      const records = await history(c2);
      const [msg] = inbound(records);
      expect(records.filter((r) => r.type === 'tool_call').map((r) => r.name)).toEqual(['exec']);
      expect(records.filter((r) => r.type === 'tool_result')).toEqual([]);
      expect(outcomes(records)).toEqual([
        expect.objectContaining({
          type: 'error',
          kind: 'interrupted',
          inReplyTo: msg!.seq,
          tools: ['exec'],
          message: expect.stringMatching(
            /^I was restarted in the middle of working on your message from \d\d:\d\d and can't tell whether exec finished — please check and ask again$/,
          ),
        }),
      ]);
      const status = await c2.request('status', {});
      expect([status.inFlight, status.queued]).toEqual([0, 0]);
      expect(peer.requestCount).toBe(0);
      c2.close();
    },
    PROCESS_TEST_MS,
  );

  it(
    'tells a Telegram sender once, in their chat, that a message older than the window was lost',
    async () => {
      tgPeer = await startTelegramPeer();
      const bot = tgPeer.addBot('crash_bot');
      const stateDir = await stateDirWith({
        session: { resumeWindow: 1000 },
        channels: { telegram: { apiRoot: tgPeer.url, botToken: bot.token, dmPolicy: 'open', allowFrom: ['*'] } },
      });
      const gate = createGate();
      peer.setDefault(() => ({ kind: 'hold', release: gate.promise }));
      const first = await startGateway(stateDir);
      await bot.waitForPoll();
      const alice = tg.user(111, 'Alice', 'alice');
      const asked = bot.message(tg.text(tg.privateChat(alice), alice, 'are you there?'));
      await peer.waitForRequest(1);
      await kill9(first.child);
      gate.open();
      peer.reset();
      await new Promise((r) => setTimeout(r, 1500)); // older than the 1000 ms window

      const second = await startGateway(stateDir);
      await until(() => bot.sent.length >= 1, 'the note in the chat');
      expect(bot.sent).toEqual([
        expect.objectContaining({
          chatId: '111',
          replyTo: asked.message_id,
          text: expect.stringMatching(/^I was restarted and lost track of your message from \d\d:\d\d — please send it again$/),
        }),
      ]);
      const c2 = await client(stateDir, second.url);
      const records = await history(c2, 'agent:main:telegram:direct:111');
      expect(outcomes(records)).toEqual([expect.objectContaining({ kind: 'interrupted', told: true })]);
      // The platform is not asked again for the update: it was confirmed before the crash.
      expect(inbound(records).map((r) => r.text)).toEqual(['are you there?']);
      expect(peer.requestCount).toBe(0);
      c2.close();
    },
    PROCESS_TEST_MS,
  );
});
