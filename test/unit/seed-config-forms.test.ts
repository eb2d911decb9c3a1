// Config forms from the CoderClaw multi-agent document that Switchboard does not implement: each
// either loads with a warning that it has no effect, or is refused with what to write instead.
import { describe, expect, it } from 'vitest';
import { checkConfigText } from '../../src-shared/config/index.ts';
import { convertForeignConfig } from '../../src-main/cli/commands/import.ts';

describe('seed config forms', () => {
  it('tools.elevated loads, with a warning at its line that it has no effect', () => {
    const check = checkConfigText('{\n  tools: {\n    elevated: { enabled: true, allowFrom: { whatsapp: ["+15551230001"] } },\n  },\n}');
    expect(check.ok).toBe(true);
    const warning = check.issues.find((i) => i.code === 'tools_elevated_unsupported');
    expect(warning).toMatchObject({ severity: 'warning', path: ['tools', 'elevated'], line: 3 });
    expect(warning!.message).toContain('has no effect');
    expect(check.config!.tools.agentToAgent.enabled).toBe(false);
  });

  it('no elevated warning when the key is absent', () => {
    const check = checkConfigText('{ tools: { agentToAgent: { enabled: false, allow: ["home", "work"] } } }');
    expect(check.issues.filter((i) => i.code === 'tools_elevated_unsupported')).toEqual([]);
  });

  it('import drops tools.elevated with the reason instead of carrying a key that does nothing', () => {
    const { raw, report } = convertForeignConfig(
      { tools: { elevated: { enabled: true }, agentToAgent: { enabled: true, allow: ['a'] } } },
      { stateDir: '/home/u/.switchboard', homeDir: '/home/u' },
    );
    expect(raw.tools).toEqual({ agentToAgent: { enabled: true, allow: ['a'] } });
    expect(report.dropped).toContain(
      'tools.elevated: Switchboard has no elevated mode; owner-only tools are set per agent (agents.list[].owners)',
    );
  });

  it('match.parentPeer is refused with what to write instead (threads inherit their parent’s binding)', () => {
    const check = checkConfigText(
      '{\n  agents: { list: [{ id: "main" }] },\n  bindings: [\n    { agentId: "main", match: { channel: "discord", parentPeer: { kind: "channel", id: "222" } } },\n  ],\n}',
    );
    expect(check.ok).toBe(false);
    const error = check.issues.find((i) => i.severity === 'error')!;
    expect(error).toMatchObject({ code: 'unknown_key', path: ['bindings', 0, 'match', 'parentPeer'], line: 4 });
    expect(error.message).toBe(
      'unknown key "parentPeer": a thread or forum topic already inherits the binding of the channel or group it belongs to (routing tier 2); bind that channel or group with match.peer',
    );
  });

  it('other unknown match keys keep the did-you-mean message', () => {
    const check = checkConfigText(
      '{ agents: { list: [{ id: "main" }] }, bindings: [{ agentId: "main", match: { channel: "discord", guild: "1" } }] }',
    );
    expect(check.issues.find((i) => i.severity === 'error')!.message).toMatch(/^unknown key "guild" \(did you mean "guildId"\?\)/);
  });
});
