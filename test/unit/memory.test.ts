// Specification of agent memory (issue 8): notes appended to a JSONL file per pool, ranked
// full-text search, per-agent isolation by default, shared pools visible exactly to their
// members, private memory only for owners, and MEMORY.md only in the owner's main session.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryPools, PoolNameError, resolvePool, SearchIndex, tokenize, NOTES_FILE } from '../../src-main/agents/memory/index.ts';
import { buildSystemPrompt, PersonaFileCache } from '../../src-main/agents/prompt.ts';
import { memoryTools, ToolRegistry } from '../../src-main/agents/tools/index.ts';
import { agentContext } from '../helpers/agent-context.ts';
import { homeAndWorkConfig } from '../helpers/config.ts';
import type { SwitchboardConfig } from '../../src-shared/config/index.ts';

let tmp: string;
let pools: MemoryPools;
let registry: ToolRegistry;

beforeEach(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-memory-')));
  pools = new MemoryPools();
  registry = new ToolRegistry([]);
  for (const t of memoryTools(pools)) registry.register(t);
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const config = (extra: Record<string, unknown>[] = []): SwitchboardConfig => homeAndWorkConfig(tmp, extra);

async function call(cfg: ReturnType<typeof config>, agentId: string, name: string, input: Record<string, unknown>, isOwner = true) {
  return registry.execute(name, input, agentContext(cfg, tmp, agentId, { isOwner }));
}

describe('search index', () => {
  it('tokenises lower-case, folds accents, drops stop words and stems plurals', () => {
    expect(tokenize('The Meetings with Zoë, about Birthdays!')).toEqual(['meeting', 'zoe', 'about', 'birthday']);
  });

  it('ranks the note that matches more and rarer query words first', () => {
    const idx = new SearchIndex<string>();
    idx.add('a', 'groceries: milk, bread, eggs');
    idx.add('b', 'Anna likes dark chocolate and hates milk chocolate');
    idx.add('c', 'the car needs new tyres before winter');
    idx.add('d', 'bought dark chocolate for the party');
    expect(idx.search('dark chocolate Anna', 3).map((h) => h.doc)).toEqual(['b', 'd']);
  });

  it('returns nothing for a query made only of stop words', () => {
    const idx = new SearchIndex<string>();
    idx.add('a', 'the and of');
    expect(idx.search('the of', 5)).toEqual([]);
  });
});

describe('memory pool on disk', () => {
  it('appends each note as one JSON line with id, text, tags, createdAt and author', async () => {
    const ref = resolvePool('memory', config().agents.list[0]!, tmp);
    await pools.get(ref).save({ text: 'Anna is allergic to peanuts', tags: ['Anna', 'health'], author: 'home' });
    const lines = (await fs.readFile(path.join(tmp, 'agents', 'home', 'memory', NOTES_FILE), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      id: expect.any(String),
      text: 'Anna is allergic to peanuts',
      tags: ['anna', 'health'],
      createdAt: expect.any(String),
      author: 'home',
    });
  });

  it('finds notes saved earlier after a restart (a fresh index built from the file)', async () => {
    const ref = resolvePool('memory', config().agents.list[0]!, tmp);
    await pools.get(ref).save({ text: 'The wifi password is on the fridge', author: 'home' });
    const hits = await new MemoryPools().get(ref).search('wifi password');
    expect(hits.map((h) => h.note.text)).toEqual(['The wifi password is on the fridge']);
  });

  it('picks up notes appended to the file by someone else', async () => {
    const ref = resolvePool('memory', config().agents.list[0]!, tmp);
    const pool = pools.get(ref);
    await pool.save({ text: 'first note about gardening', author: 'home' });
    expect(await pool.search('tomatoes')).toEqual([]);
    await fs.appendFile(
      pool.file,
      `${JSON.stringify({ id: 'x1', text: 'plant tomatoes in May', tags: [], createdAt: '2026-01-01T00:00:00Z', author: 'home' })}\n`,
    );
    expect((await pool.search('tomatoes')).map((h) => h.note.id)).toEqual(['x1']);
  });

  it('skips a torn last line and keeps later notes readable', async () => {
    const ref = resolvePool('memory', config().agents.list[0]!, tmp);
    await fs.mkdir(ref.dir, { recursive: true });
    await fs.writeFile(path.join(ref.dir, NOTES_FILE), '{"id":"x0","text":"half a no');
    await pools.get(ref).save({ text: 'bicycle lock code 4711', author: 'home' });
    const hits = await new MemoryPools().get(ref).search('bicycle lock');
    expect(hits.map((h) => h.note.text)).toEqual(['bicycle lock code 4711']);
  });

  it('refuses pool names that are not ids (no path traversal)', () => {
    const agent = { id: 'home', memory: { scope: 'shared' as const, pool: '../home/memory' }, tasks: { scope: 'agent' as const } };
    expect(() => resolvePool('memory', agent, tmp)).toThrow(PoolNameError);
  });
});

describe('memory tools: isolation', () => {
  it('saves into agents/<id>/memory and finds the note again', async () => {
    const cfg = config();
    expect((await call(cfg, 'home', 'memory_save', { text: 'Dentist is Dr. Rossi', tags: ['health'] })).isError).toBe(false);
    const found = await call(cfg, 'home', 'memory_search', { query: 'dentist' });
    expect(found.output).toContain('Dentist is Dr. Rossi');
    await expect(fs.stat(path.join(tmp, 'agents', 'home', 'memory', NOTES_FILE))).resolves.toBeTruthy();
  });

  it("an agent with agent scope never sees another agent's notes", async () => {
    const cfg = config();
    await call(cfg, 'home', 'memory_save', { text: 'secret family recipe: saffron risotto' });
    const other = await call(cfg, 'work', 'memory_search', { query: 'saffron risotto recipe' });
    expect(other.output).not.toContain('secret family');
    await expect(fs.stat(path.join(tmp, 'agents', 'work', 'memory', NOTES_FILE))).rejects.toThrow();
  });

  it('a shared pool is visible exactly to the agents that name it', async () => {
    const cfg = config([
      { id: 'mum', memory: { pool: 'family' } },
      { id: 'dad', memory: { pool: 'family' } },
      { id: 'club', memory: { pool: 'tennis' } },
      { id: 'office', memory: { scope: 'shared' } },
    ]);
    await call(cfg, 'mum', 'memory_save', { text: 'holiday flat in Lisbon booked for August' });
    expect((await call(cfg, 'dad', 'memory_search', { query: 'Lisbon holiday' })).output).toContain('by mum');
    for (const outsider of ['club', 'office', 'home']) {
      expect((await call(cfg, outsider, 'memory_search', { query: 'Lisbon holiday' })).output).not.toContain('August');
    }
    await expect(fs.stat(path.join(tmp, 'memory', 'family', NOTES_FILE))).resolves.toBeTruthy();
  });

  it('private memory is neither offered nor run for a sender who is not an owner', async () => {
    const cfg = config();
    await call(cfg, 'home', 'memory_save', { text: 'bank PIN hint: grandma birthday' });
    const ctx = agentContext(cfg, tmp, 'home', { isOwner: false });
    expect(registry.definitions(ctx).map((d) => d.name)).toEqual([]);
    const res = await registry.execute('memory_search', { query: 'bank PIN' }, ctx);
    expect(res.isError).toBe(true);
    expect(res.output).not.toContain('grandma');
  });

  it('shared-pool memory stays available to non-owners', async () => {
    const cfg = config([{ id: 'desk', memory: { pool: 'helpdesk' } }]);
    const ctx = agentContext(cfg, tmp, 'desk', { isOwner: false });
    expect(
      registry
        .definitions(ctx)
        .map((d) => d.name)
        .sort(),
    ).toEqual(['memory_save', 'memory_search']);
  });

  it('puts the best match first in the tool output', async () => {
    const cfg = config();
    await call(cfg, 'home', 'memory_save', { text: 'Car insurance renews in March' });
    await call(cfg, 'home', 'memory_save', { text: 'Car service booked: garage Bianchi, car needs new brakes', tags: ['car'] });
    await call(cfg, 'home', 'memory_save', { text: 'Paint the fence in spring' });
    const out = (await call(cfg, 'home', 'memory_search', { query: 'car garage brakes', limit: 2 })).output.split('\n');
    expect(out).toHaveLength(2);
    expect(out[0]).toContain('garage Bianchi');
  });
});

describe('memory tools in the default registry', () => {
  it('are built in, so every gateway turn offers them to owners', () => {
    const names = new ToolRegistry().definitions(agentContext(config(), tmp, 'home')).map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['memory_save', 'memory_search']));
  });

  it('another agent cannot read the notes file through the file tools', async () => {
    const cfg = config();
    await call(cfg, 'home', 'memory_save', { text: 'private: passport number X123' });
    const ctx = agentContext(cfg, tmp, 'work');
    await fs.mkdir(ctx.paths.workspace, { recursive: true });
    const target = path.relative(ctx.paths.workspace, path.join(tmp, 'agents', 'home', 'memory', NOTES_FILE));
    const res = await new ToolRegistry().execute('read', { path: target }, ctx);
    expect(res.isError).toBe(true);
    expect(res.output).not.toContain('X123');
  });
});

describe('MEMORY.md in the system prompt', () => {
  async function promptFor(opts: { isOwner: boolean; sessionKey?: string }): Promise<string> {
    const cfg = config();
    const ws = path.join(tmp, 'ws-home');
    await fs.mkdir(ws, { recursive: true });
    await fs.writeFile(path.join(ws, 'MEMORY.md'), 'Owner prefers tea over coffee.');
    const ctx = agentContext(cfg, tmp, 'home', opts);
    const built = await buildSystemPrompt({
      agent: ctx.agent,
      workspace: ws,
      sessionKey: ctx.sessionKey,
      inbound: ctx.inbound,
      tools: [],
      files: new PersonaFileCache(),
      now: new Date(),
    });
    return built.text;
  }

  it('is loaded in the main session with an owner', async () => {
    expect(await promptFor({ isOwner: true })).toContain('Owner prefers tea over coffee.');
  });

  it('is not loaded for a sender who is not an owner, even in the main session', async () => {
    expect(await promptFor({ isOwner: false })).not.toContain('tea over coffee');
  });

  it('is not loaded in a group session, even for an owner', async () => {
    expect(await promptFor({ isOwner: true, sessionKey: 'agent:home:telegram:group:-100123' })).not.toContain('tea over coffee');
  });

  it('says whether the sender is an owner, in plain ASCII around ASCII inputs (one other character would double the request body in memory)', async () => {
    const owner = await promptFor({ isOwner: true });
    const stranger = await promptFor({ isOwner: false });
    expect(owner).toMatch(/^- Sender: .*; one of your owners\.$/m);
    expect(stranger).toMatch(/^- Sender: .*; not one of your owners\.$/m);
    for (const text of [owner, stranger]) expect(text.match(/[^\t\n -~]/g)).toBeNull();
  });
});
