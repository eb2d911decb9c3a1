// What the chat inspector makes of transcript records, live turns and session keys
// (src-renderer/views/inspector: items.ts, RichText.tsx, session-keys.ts), without a gateway.
import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { LiveTurn, TranscriptRecord } from '../../src-renderer/store/inspector.ts';
import { mergeRecords } from '../../src-renderer/store/inspector.ts';
import { recordItems, transcriptItems, type Item } from '../../src-renderer/views/inspector/items.ts';
import { RichText } from '../../src-renderer/views/inspector/RichText.tsx';
import { describeSessionKey, isWritable } from '../../src-renderer/views/inspector/session-keys.ts';

const TS = '2026-03-14T10:00:00.000Z';
const rec = (seq: number, type: string, fields: Record<string, unknown> = {}): TranscriptRecord => ({ seq, ts: TS, type, ...fields });
const user = (seq: number, text: string, extra: Record<string, unknown> = {}) =>
  rec(seq, 'message', {
    role: 'user',
    text,
    messageId: `m${seq}`,
    sender: { id: '42', name: 'Alice' },
    channel: 'telegram',
    accountId: 'default',
    route: { matchedBy: 'binding.peer', bindingIndex: 2, sessionKey: 'agent:main:telegram:direct:42' },
    ...extra,
  });
const reply = (
  seq: number,
  inReplyTo: number,
  text: string,
  usage = { inputTokens: 10, outputTokens: 5 },
  extra: Record<string, unknown> = {},
) => rec(seq, 'message', { role: 'assistant', text, usage, inReplyTo, model: 'claude-x', ...extra });
const kinds = (items: Item[]) => items.map((i) => i.kind);

describe('transcript rows from records', () => {
  it('puts each reply right after the message it answers, even when another message arrived in between', () => {
    const items = recordItems(
      [rec(1, 'session'), user(2, 'first'), user(3, 'second'), reply(4, 2, 'to first'), reply(5, 3, 'to second')],
      false,
    );
    expect(items.map((b) => (b.item.kind === 'user' || b.item.kind === 'assistant' ? b.item.text : b.item.kind))).toEqual([
      'start',
      'first',
      'to first',
      'second',
      'to second',
    ]);
  });

  it('marks a message whose turn failed for want of an API key as not delivered, and only that one', () => {
    const items = recordItems(
      [
        rec(1, 'session'),
        user(2, 'no key yet'),
        rec(3, 'error', { kind: 'no_api_key', message: 'no API key', inReplyTo: 2 }),
        user(4, 'with a key'),
        reply(5, 4, 'hello'),
        user(6, 'stopped early'),
        rec(7, 'error', { kind: 'cancelled', message: 'stopped', inReplyTo: 6 }),
      ],
      false,
    ).map((b) => b.item);
    const users = items.flatMap((i) => (i.kind === 'user' ? [[i.text, i.undelivered]] : []));
    expect(users).toEqual([
      ['no key yet', 'no_api_key'],
      ['with a key', undefined],
      ['stopped early', undefined],
    ]);
  });

  it('keeps the sender, channel and route decision of an inbound message', () => {
    const row = recordItems([rec(1, 'session'), user(2, 'hi')], false)
      .map((b) => b.item)
      .find((i) => i.kind === 'user');
    expect(row).toMatchObject({
      kind: 'user',
      senderName: 'Alice',
      senderId: '42',
      channel: 'telegram',
      route: { matchedBy: 'binding.peer', bindingIndex: 2 },
    });
  });

  it("folds a tool call and its result into one row and shows a turn's usage once, on its last reply", () => {
    const items = recordItems(
      [
        user(1, 'status?'),
        reply(2, 1, '', { inputTokens: 100, outputTokens: 10 }, { stopReason: 'tool_use' }),
        rec(3, 'tool_call', { id: 'tu1', name: 'session_status', input: { verbose: true }, inReplyTo: 1 }),
        rec(4, 'tool_result', { id: 'tu1', name: 'session_status', isError: false, output: 'all fine', inReplyTo: 1 }),
        reply(5, 1, 'All good.', { inputTokens: 120, outputTokens: 7 }),
      ],
      true,
    ).map((b) => b.item);
    expect(kinds(items)).toEqual(['user', 'tool', 'assistant']);
    expect(items[1]).toMatchObject({
      kind: 'tool',
      name: 'session_status',
      hasInput: true,
      input: { verbose: true },
      output: 'all fine',
      status: 'done',
      isError: false,
    });
    expect(items[2]).toMatchObject({
      kind: 'assistant',
      text: 'All good.',
      usage: { inputTokens: 220, outputTokens: 17 },
      turnUsage: true,
    });
  });

  it('marks an incomplete reply and keeps the error record of the failed turn', () => {
    const items = recordItems(
      [
        user(1, 'go'),
        reply(2, 1, 'half', { inputTokens: 5, outputTokens: 2 }, { incomplete: true }),
        rec(3, 'error', { kind: 'stream_cut', message: 'cut after 4 characters', inReplyTo: 1 }),
      ],
      true,
    ).map((b) => b.item);
    expect(items[1]).toMatchObject({ kind: 'assistant', incomplete: true });
    expect(items[2]).toMatchObject({ kind: 'error', errorKind: 'stream_cut', message: 'cut after 4 characters' });
  });

  it('shows a start row only when the first page of the session is loaded', () => {
    expect(kinds(recordItems([rec(1, 'session'), user(2, 'x')], false).map((b) => b.item))[0]).toBe('start');
    expect(kinds(recordItems([user(200, 'x')], true).map((b) => b.item))).not.toContain('start');
    expect(recordItems([], false)).toEqual([]);
  });

  it('marks where a new day starts, and keeps the row above the oldest loaded record stable when an older page arrives', () => {
    const at = (seq: number, ts: string) => ({ ...user(seq, `m${seq}`), ts });
    const newer = [at(300, '2026-03-13T10:00:00.000Z'), at(301, '2026-03-14T10:00:00.000Z')];
    const first = recordItems(newer, true).map((b) => b.item);
    expect(kinds(first)).toEqual(['user', 'day', 'user']);
    const withOlder = recordItems([at(299, '2026-03-12T10:00:00.000Z'), ...newer], true).map((b) => b.item);
    expect(withOlder.map((i) => i.key)).toEqual(['r:299', expect.stringMatching(/^day:/), 'r:300', first[1]!.key, 'r:301']);
  });

  it('merges pages by seq so a re-read record replaces its live echo', () => {
    const echo = user(7, 'echoed');
    const read = { ...user(7, 'echoed'), ts: '2026-03-14T10:00:01.000Z' };
    expect(mergeRecords([user(5, 'a'), echo], [read, reply(8, 7, 'b')]).map((r) => [r.seq, r.ts])).toEqual([
      [5, TS],
      [7, read.ts],
      [8, TS],
    ]);
  });
});

describe('live turns', () => {
  const records = [user(1, 'hello'), reply(2, 1, 'hi'), user(3, 'tell me more')];
  const base = recordItems(records, true);

  it('streams the reply after the message it answers, with a thinking row until text arrives', () => {
    const thinking = transcriptItems(base, records, [{ messageId: 'm3', segments: [] }], []);
    expect(thinking.at(-1)).toMatchObject({ kind: 'typing', label: 'thinking…' });
    const streaming = transcriptItems(base, records, [{ messageId: 'm3', segments: [{ kind: 'text', text: 'More' }] }], []);
    expect(streaming.at(-1)).toMatchObject({ kind: 'assistant', text: 'More', streaming: true });
  });

  it('puts a live reply before later messages that wait for it', () => {
    const recs = [...records, user(4, 'and another')];
    const items = transcriptItems(
      recordItems(recs, true),
      recs,
      [{ messageId: 'm3', segments: [{ kind: 'text', text: 'Streaming' }] }],
      [],
    );
    const texts = items.filter((i) => i.kind === 'user' || i.kind === 'assistant').map((i) => (i as { text: string }).text);
    expect(texts).toEqual(['hello', 'hi', 'tell me more', 'Streaming', 'and another']);
  });

  it('shows tool steps as they run and the final usage when the turn ends', () => {
    const turn: LiveTurn = {
      messageId: 'm3',
      segments: [
        { kind: 'tool', id: 't1', name: 'read', done: true, summary: 'read 3 lines' },
        { kind: 'text', text: 'Done.' },
      ],
      final: { text: 'Done.', incomplete: false, usage: { inputTokens: 30, outputTokens: 4 } },
    };
    const items = transcriptItems(base, records, [turn], []).slice(-2);
    expect(items[0]).toMatchObject({ kind: 'tool', name: 'read', status: 'done', summary: 'read 3 lines' });
    expect(items[1]).toMatchObject({ kind: 'assistant', text: 'Done.', streaming: false, usage: { inputTokens: 30, outputTokens: 4 } });
  });

  it('turns a failed turn into an error row with what the sender was told', () => {
    const turn: LiveTurn = {
      messageId: 'm3',
      segments: [],
      final: {
        text: 'main is paused; the owner can resume it.',
        incomplete: false,
        failure: 'agent_paused',
        usage: { inputTokens: 0, outputTokens: 0 },
      },
    };
    expect(transcriptItems(base, records, [turn], []).at(-1)).toMatchObject({
      kind: 'error',
      errorKind: 'agent_paused',
      message: 'main is paused; the owner can resume it.',
    });
  });

  it("shows the operator's unconfirmed message last, as a direct dashboard message", () => {
    const items = transcriptItems(
      base,
      records,
      [],
      [{ localId: 'l1', clientId: 'dash-l1', text: 'on its way', ts: TS, status: 'sending' }],
    );
    expect(items.at(-1)).toMatchObject({
      kind: 'user',
      text: 'on its way',
      senderId: 'operator',
      route: { matchedBy: 'direct' },
      pending: { status: 'sending' },
    });
  });
});

describe('rich text', () => {
  it('renders paragraphs, fenced code, lists, bold, inline code and links', () => {
    const { container } = render(
      <RichText
        text={'Hello **world** with `code`.\n\nSteps:\n- one\n- two\n\n```js\nconst a = 1;\n```\n\nSee https://example.com/docs.'}
      />,
    );
    expect(container.querySelectorAll('p').length).toBe(3);
    expect(container.querySelector('strong')!.textContent).toBe('world');
    expect(container.querySelector('code.md-code')!.textContent).toBe('code');
    expect([...container.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['one', 'two']);
    expect(container.querySelector('pre code')!.textContent).toBe('const a = 1;');
    const link = container.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('https://example.com/docs');
    expect(link.getAttribute('rel')).toContain('noopener');
  });

  it('shows markup from a message as text and never creates elements from it', () => {
    const { container } = render(<RichText text={'<img src=x onerror="alert(1)"> <script>alert(2)</script> [x](javascript:alert(3))'} />);
    expect(container.querySelector('img, script')).toBeNull();
    expect(container.querySelector('a')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it('keeps an unclosed code fence of a streaming reply as code', () => {
    const { container } = render(<RichText text={'Here:\n```py\nprint(1)'} />);
    expect(container.querySelector('pre code')!.textContent).toBe('print(1)');
  });
});

describe('session keys', () => {
  it('names sessions the way a person reads them', () => {
    expect(describeSessionKey('agent:main:main', 'main', 'main')).toMatchObject({ label: 'Main session', kind: 'main' });
    expect(describeSessionKey('agent:main:telegram:direct:4242', 'main', 'main')).toMatchObject({
      label: 'Telegram · direct 4242',
      kind: 'direct',
      channel: 'telegram',
    });
    expect(describeSessionKey('agent:ops:discord:work:channel:77', 'ops', 'main')).toMatchObject({
      label: 'Discord (work) · channel 77',
      kind: 'channel',
    });
    expect(describeSessionKey('agent:main:telegram:group:-100:topic:5', 'main', 'main')).toMatchObject({
      label: 'Telegram · group -100:topic:5',
      kind: 'group',
    });
    expect(describeSessionKey('agent:main:webchat:notes', 'main', 'main')).toMatchObject({ label: 'Web chat · notes', kind: 'webchat' });
    expect(describeSessionKey('agent:bob:a2a:alice', 'bob', 'main')).toMatchObject({ label: 'From agent alice', kind: 'a2a' });
  });

  it('lets the dashboard write only in the live main session or a web chat session', () => {
    expect(isWritable(describeSessionKey('agent:main:main', 'main', 'main'))).toBe(true);
    expect(isWritable(describeSessionKey('agent:main:webchat:x', 'main', 'main'))).toBe(true);
    expect(isWritable(describeSessionKey('agent:main:main#0f6c2b1e', 'main', 'main'))).toBe(false);
    expect(isWritable(describeSessionKey('agent:main:telegram:direct:1', 'main', 'main'))).toBe(false);
    expect(isWritable(describeSessionKey('agent:main:home', 'main', 'home'))).toBe(true);
  });
});
