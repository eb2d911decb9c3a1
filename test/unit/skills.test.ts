// Skills: SKILL.md parsing, listing own and shared skills, restriction by agents.list[].skills,
// own-over-shared precedence, and the confinement (invalid names, traversal, symlinks out).
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listSkills, loadSkill, parseSkillFile, SkillError, type SkillSources } from '../../src-main/agents/skills.ts';
import { skillTool } from '../../src-main/agents/tools/skill.ts';
import type { ToolContext } from '../../src-main/agents/tools/types.ts';
import { buildSystemPrompt, PersonaFileCache } from '../../src-main/agents/prompt.ts';

let dir: string;
let stateDir: string;
let workspace: string;

async function skill(root: string, name: string, text: string): Promise<void> {
  await mkdir(path.join(root, name), { recursive: true });
  await writeFile(path.join(root, name, 'SKILL.md'), text);
}
const own = (name: string, text: string) => skill(path.join(workspace, 'skills'), name, text);
const shared = (name: string, text: string) => skill(path.join(stateDir, 'skills'), name, text);
const src = (skills?: string[]): SkillSources => ({ workspace, stateDir, agent: skills ? { skills } : {} });

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-skills-'));
  stateDir = path.join(dir, 'state');
  workspace = path.join(stateDir, 'workspace');
  await mkdir(workspace, { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SKILL.md parsing', () => {
  it('reads name and description from front matter and keeps the rest as instructions', () => {
    expect(parseSkillFile('---\nname: report\ndescription: Writes the weekly report.\n---\nStep 1.\nStep 2.\n')).toEqual({
      name: 'report',
      description: 'Writes the weekly report.',
      instructions: 'Step 1.\nStep 2.',
    });
  });

  it('reads name and description from leading lines without front matter', () => {
    expect(parseSkillFile('name: report\ndescription: Weekly.\nDo it.')).toEqual({
      name: 'report',
      description: 'Weekly.',
      instructions: 'Do it.',
    });
  });

  it('takes a heading and the line after it when there are no keys', () => {
    expect(parseSkillFile('# Report\nWrites the report.\n\nMore.').description).toBe('Writes the report.');
  });
});

describe('listing and loading', () => {
  it('lists own and shared skills with their descriptions and sources', async () => {
    await own('notes', '---\ndescription: Own notes skill.\n---\nUse notes.');
    await shared('weather', '---\ndescription: Shared weather skill.\n---\nCheck the sky.');
    expect(await listSkills(src())).toEqual([
      { name: 'notes', description: 'Own notes skill.', source: 'agent' },
      { name: 'weather', description: 'Shared weather skill.', source: 'shared' },
    ]);
  });

  it("loads a shared skill's instructions", async () => {
    await shared('weather', '---\ndescription: Weather.\n---\nCheck the sky.');
    expect(await loadSkill(src(), 'weather')).toMatchObject({ name: 'weather', source: 'shared', instructions: 'Check the sky.' });
  });

  it('shows only the shared skills named in agents.list[].skills', async () => {
    await shared('weather', 'description: W.\nx');
    await shared('stocks', 'description: S.\nx');
    expect((await listSkills(src(['weather']))).map((s) => s.name)).toEqual(['weather']);
    await expect(loadSkill(src(['weather']), 'stocks')).rejects.toThrow(SkillError);
  });

  it("keeps the agent's own skills visible whatever agents.list[].skills says", async () => {
    await own('notes', 'description: N.\nx');
    expect((await listSkills(src([]))).map((s) => s.name)).toEqual(['notes']);
  });

  it("prefers the agent's own skill over a shared one with the same name", async () => {
    await own('report', 'description: Mine.\nown steps');
    await shared('report', 'description: Shared.\nshared steps');
    expect(await listSkills(src())).toEqual([{ name: 'report', description: 'Mine.', source: 'agent' }]);
    expect(await loadSkill(src(), 'report')).toMatchObject({ source: 'agent', instructions: 'own steps' });
  });

  it('returns no skills when neither skills folder exists', async () => {
    expect(await listSkills(src())).toEqual([]);
  });
});

describe('confinement', () => {
  it('refuses invalid names', async () => {
    for (const name of ['', 'Report', '-x', 'a b', 'a/b', 'x'.repeat(65), '.hidden']) {
      await expect(loadSkill(src(), name)).rejects.toThrow(/not a valid skill name/);
    }
  });

  it('refuses traversal attempts such as ../x', async () => {
    await skill(dir, 'x', 'description: outside.\nsecret');
    for (const name of ['../x', '../../x', '..', 'x/../../x']) {
      await expect(loadSkill(src(), name)).rejects.toThrow(/not a valid skill name/);
    }
  });

  it('does not follow a skill folder symlinked to a folder outside', async () => {
    await skill(dir, 'outside', 'description: outside.\nsecret');
    await mkdir(path.join(workspace, 'skills'), { recursive: true });
    await symlink(path.join(dir, 'outside'), path.join(workspace, 'skills', 'evil'));
    expect(await listSkills(src())).toEqual([]);
    await expect(loadSkill(src(), 'evil')).rejects.toThrow(/no skill "evil"/);
  });

  it('does not follow a SKILL.md symlinked to a file outside', async () => {
    await writeFile(path.join(dir, 'secret.txt'), 'description: secret\nsecret');
    await mkdir(path.join(workspace, 'skills', 'evil'), { recursive: true });
    await symlink(path.join(dir, 'secret.txt'), path.join(workspace, 'skills', 'evil', 'SKILL.md'));
    await expect(loadSkill(src(), 'evil')).rejects.toThrow(/no skill "evil"/);
  });

  it('skips folders with invalid names when listing', async () => {
    await own('Bad Name', 'description: x\nx');
    expect(await listSkills(src())).toEqual([]);
  });
});

describe('skill tool and prompt', () => {
  const ctx = (skills?: string[]): ToolContext =>
    ({
      agent: { id: 'main', ...(skills ? { skills } : {}) },
      paths: {
        workspace,
        agentDir: path.join(stateDir, 'agents', 'main', 'agent'),
        sessionsDir: path.join(stateDir, 'agents', 'main', 'sessions'),
        memoryDir: '',
      },
    }) as unknown as ToolContext;

  it('loads a shared skill from <stateDir>/skills through the tool', async () => {
    await shared('weather', 'description: Weather.\nCheck the sky.');
    const out = await skillTool.run({ name: 'weather' }, ctx());
    expect(out.output).toContain('Check the sky.');
  });

  it('is not offered when no skills folder exists', () => {
    expect(skillTool.unavailableReason?.(ctx())).toMatch(/no skills/);
  });

  it('is offered within a second of a skills folder appearing (the folder check is cached per turn burst)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      expect(skillTool.unavailableReason?.(ctx())).toMatch(/no skills/);
      await own('notes', 'description: Notes.\nx');
      vi.setSystemTime(Date.now() + 1001);
      expect(skillTool.unavailableReason?.(ctx())).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('lists the available skills in the system prompt', async () => {
    await own('notes', 'description: Own notes skill.\nx');
    await shared('weather', 'description: Shared weather skill.\nx');
    const prompt = await buildSystemPrompt({
      agent: { id: 'main', identity: {} } as never,
      workspace,
      stateDir,
      sessionKey: 'agent:main:main',
      inbound: {
        text: 'hi',
        sender: { id: 'operator' },
        channel: 'webchat',
        route: { matchedBy: 'direct', accountId: 'default', mainSessionKey: 'agent:main:main', sessionKey: 'agent:main:main' } as never,
        isOwner: true,
      },
      tools: [{ name: 'skill', description: 'Load a skill.' }],
      files: new PersonaFileCache(),
      now: new Date(),
    });
    expect(prompt.text).toContain('- notes: Own notes skill.');
    expect(prompt.text).toContain('- weather: Shared weather skill.');
  });

  it("lists a skill added meanwhile once the listing is a second old, and one agent's list never stands for another's", async () => {
    let now = 1_000_000;
    const files = new PersonaFileCache(() => now);
    const promptFor = (agent: { id: string; identity: object; skills?: string[] }) =>
      buildSystemPrompt({
        agent: agent as never,
        workspace,
        stateDir,
        sessionKey: `agent:${agent.id}:main`,
        inbound: {
          text: 'hi',
          sender: { id: 'operator' },
          channel: 'webchat',
          route: { matchedBy: 'direct', accountId: 'default', mainSessionKey: 'agent:main:main', sessionKey: 'agent:main:main' } as never,
          isOwner: true,
        },
        tools: [{ name: 'skill', description: 'Load a skill.' }],
        files,
        now: new Date(),
      });
    await shared('weather', 'description: Shared weather skill.\nx');
    expect((await promptFor({ id: 'main', identity: {} })).text).toContain('- weather: Shared weather skill.');
    // Same workspace, but this agent may see no shared skills: its own listing, not the cached one.
    expect((await promptFor({ id: 'main', identity: {}, skills: [] })).text).not.toContain('weather');
    await own('notes', 'description: Own notes skill.\nx');
    now += 1000;
    const later = (await promptFor({ id: 'main', identity: {} })).text;
    expect(later).toContain('- notes: Own notes skill.');
    expect(later).toContain('- weather: Shared weather skill.');
  });
});
