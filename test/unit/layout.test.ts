// Agent ids that could escape the state dir are refused before any file is touched, and a new
// agent's folders come with persona templates that never replace what the user wrote.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnsafeAgentIdError, createAgentLayout, safeAgentId } from '../../src-main/agents/layout.ts';
import { agentPaths, type AgentPaths } from '../../src-main/config/paths.ts';
import { validConfig } from '../helpers/config.ts';

describe('safeAgentId', () => {
  it.each([
    ['a parent-directory escape', '../x'],
    ['an absolute path', '/abs'],
    ['a forward slash', 'a/b'],
    ['a backslash', 'a\\b'],
    ['a NUL byte', 'work\0'],
    ['a NUL byte hidden before a separator', 'a\0/../../etc'],
    ['the Windows device name con', 'con'],
    ['the Windows device name in upper case', 'NUL'],
    ['65 characters', 'a'.repeat(65)],
    ['the empty string', ''],
    ['only spaces', '   '],
    ['a leading dash', '-x'],
    ['a dot', 'a.b'],
  ])('refuses %s', (_what, id) => {
    expect(() => safeAgentId(id)).toThrow(UnsafeAgentIdError);
  });

  it('the refusal names the id and carries the bad_request code', () => {
    let caught: unknown;
    try {
      safeAgentId('../x');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnsafeAgentIdError);
    expect((caught as UnsafeAgentIdError).code).toBe('bad_request');
    expect((caught as Error).message).toContain('"../x"');
  });

  it('accepts 64 characters', () => {
    expect(safeAgentId('a'.repeat(64))).toBe('a'.repeat(64));
  });

  it('accepts an id and returns it lower-cased', () => {
    expect(safeAgentId('Work')).toBe('work');
  });

  it('accepts digits, "_" and "-" after the first character', () => {
    expect(safeAgentId('9lives_work-2')).toBe('9lives_work-2');
  });
});

describe('createAgentLayout', () => {
  let dir: string;
  let paths: AgentPaths;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sb-layout-'));
    const config = validConfig({ agents: { list: [{ id: 'work', name: 'Sentinel' }] } });
    paths = agentPaths(config.agents.list[0]!, config, { stateDir: dir, configPath: path.join(dir, 'switchboard.json') }, dir);
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('creates the workspace (with skills/), agentDir, sessions and memory folders', async () => {
    await createAgentLayout(paths, { id: 'work', name: 'Sentinel' });
    for (const folder of [paths.workspace, path.join(paths.workspace, 'skills'), paths.agentDir, paths.sessionsDir, paths.memoryDir]) {
      expect((await fs.stat(folder)).isDirectory(), folder).toBe(true);
    }
    expect(paths.sessionsDir).toBe(path.join(dir, 'agents', 'work', 'sessions'));
  });

  it('writes AGENTS.md, SOUL.md and USER.md that mention the agent by name', async () => {
    const result = await createAgentLayout(paths, { id: 'work', name: 'Sentinel' });
    for (const file of ['AGENTS.md', 'SOUL.md', 'USER.md']) {
      const text = await fs.readFile(path.join(paths.workspace, file), 'utf8');
      expect(text, file).toContain('Sentinel');
    }
    expect(result.created.map((f) => path.basename(f)).sort()).toEqual(['AGENTS.md', 'SOUL.md', 'USER.md']);
    expect(result.kept).toEqual([]);
  });

  it('puts the persona text into SOUL.md', async () => {
    await createAgentLayout(paths, { id: 'work', name: 'Sentinel', persona: 'You are Sentinel, a work-focused AI.' });
    expect(await fs.readFile(path.join(paths.workspace, 'SOUL.md'), 'utf8')).toContain('You are Sentinel, a work-focused AI.');
  });

  it('never overwrites an existing SOUL.md, and reports it as kept', async () => {
    await fs.mkdir(paths.workspace, { recursive: true });
    const soul = path.join(paths.workspace, 'SOUL.md');
    await fs.writeFile(soul, 'my own persona\n');
    const result = await createAgentLayout(paths, { id: 'work', name: 'Sentinel', persona: 'replacement' });
    expect(await fs.readFile(soul, 'utf8')).toBe('my own persona\n');
    expect(result.kept).toEqual([soul]);
    expect(result.created.map((f) => path.basename(f)).sort()).toEqual(['AGENTS.md', 'USER.md']);
  });

  it('refuses an unsafe id before creating any folder', async () => {
    const outside = path.join(dir, 'ws-unsafe');
    await expect(createAgentLayout({ ...paths, workspace: outside }, { id: '../x', name: 'x' })).rejects.toThrow(UnsafeAgentIdError);
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(paths.agentDir)).toBe(false);
  });
});
