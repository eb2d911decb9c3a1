// Step 6: what the agent may do — a preset (docs/agents.md#tools) or its own allow and deny lists over the
// built-in tools. Deny always wins; names the gateway does not know are kept but never available.
// write, edit and exec are for the agent's owners unless opened to everyone below (docs/security.md).
// Turning exec on turns the OS sandbox on where this machine's platform has one (Linux, macOS).
import {
  effectiveTools,
  execNeedsSandbox,
  KNOWN_TOOLS,
  nonOwnerTools,
  OWNER_ONLY,
  policyOfPreset,
  presetOf,
  SANDBOX_CHOICES,
  TOOL_DESCRIPTIONS,
  TOOL_PRESETS,
  toggleAllowed,
  toggleDenied,
  toggleNonOwner,
  type ToolPolicy,
} from '../../model/tools.ts';
import { Button } from '../../../../ui/controls.tsx';
import { Chip, Choice, firstError, Warnings, warningsOf, type StepProps } from '../parts.tsx';

export function ToolsStep({ form, update, issues }: StepProps) {
  const policy = form.tools;
  const preset = presetOf(policy);
  const needsSandbox = execNeedsSandbox();
  // exec switched on with no sandbox yet: the sandbox comes with it where one exists.
  const set = (tools: ToolPolicy) =>
    update((f) => {
      const execOn = effectiveTools(tools).includes('exec') && !effectiveTools(f.tools).includes('exec');
      return { ...f, tools, ...(execOn && needsSandbox && f.sandboxMode === 'off' ? { sandboxMode: 'all' as const } : {}) };
    });
  const effective = effectiveTools(policy);
  const allowed = policy.allow ?? effective;
  const unknown = [...(policy.allow ?? []), ...policy.deny].filter((t) => !KNOWN_TOOLS.includes(t));
  const ownerOnly = OWNER_ONLY.filter((t) => effective.includes(t));
  const forOthers = nonOwnerTools(policy);
  const error = firstError(issues, 'tools');
  return (
    <>
      <div className="choices grid" role="radiogroup" aria-label="Tool preset">
        {TOOL_PRESETS.map((p) => (
          <Choice key={p.id} name="tools" value={p.id} checked={preset === p.id} title={p.label} onChange={() => set(policyOfPreset(p.id))}>
            {p.description}
          </Choice>
        ))}
        <Choice
          name="tools"
          value="custom"
          checked={preset === 'custom'}
          title="Custom"
          onChange={() => set({ ...policy, allow: [...effective] })}
        >
          Pick the tools one by one below.
        </Choice>
      </div>
      <div className="stack" style={{ gap: 6 }}>
        <span className="field-label" id="allow-label">
          Allowed tools {policy.allow === undefined && <span className="muted">(the default set)</span>}
        </span>
        <div className="chips" role="group" aria-labelledby="allow-label">
          {KNOWN_TOOLS.map((t) => (
            <Chip
              key={t}
              label={t}
              title={TOOL_DESCRIPTIONS[t]}
              pressed={allowed.includes(t)}
              onToggle={() => set(toggleAllowed(policy, t))}
            />
          ))}
        </div>
      </div>
      <div className="stack" style={{ gap: 6 }}>
        <span className="field-label" id="deny-label">
          Denied tools <span className="muted">(always win over allowed)</span>
        </span>
        <div className="chips" role="group" aria-labelledby="deny-label">
          {KNOWN_TOOLS.map((t) => (
            <Chip
              key={t}
              tone="deny"
              label={t}
              title={TOOL_DESCRIPTIONS[t]}
              pressed={policy.deny.includes(t)}
              onToggle={() => set(toggleDenied(policy, t))}
            />
          ))}
        </div>
      </div>
      {ownerOnly.length > 0 && (
        <div className="stack" style={{ gap: 6 }}>
          <span className="field-label" id="non-owner-label">
            Also for people who are not its owners{' '}
            <span className="muted">(group members, strangers in DMs; off unless you trust everyone who can write to it)</span>
          </span>
          <div className="chips" role="group" aria-labelledby="non-owner-label">
            {ownerOnly.map((t) => (
              <Chip
                key={t}
                label={t}
                title={`${TOOL_DESCRIPTIONS[t]}, also when someone who is not an owner asks`}
                pressed={(policy.nonOwners ?? []).includes(t)}
                onToggle={() => set(toggleNonOwner(policy, t))}
              />
            ))}
          </div>
        </div>
      )}
      {effective.includes('exec') && (
        <div className="stack" style={{ gap: 6 }}>
          <span className="field-label" id="sandbox-label">
            Sandbox for exec{' '}
            <span className="muted">
              (exec runs programs on this machine;{' '}
              {needsSandbox ? 'here it runs only inside the OS sandbox' : 'this platform has no OS sandbox'})
            </span>
          </span>
          <div className="choices" role="radiogroup" aria-labelledby="sandbox-label">
            {SANDBOX_CHOICES.filter((c) => !needsSandbox || c.mode !== 'off').map((c) => (
              <Choice
                key={c.mode}
                name="sandbox"
                value={c.mode}
                checked={form.sandboxMode === c.mode}
                title={c.label}
                onChange={() => update((f) => ({ ...f, sandboxMode: c.mode }))}
              >
                {c.description}
              </Choice>
            ))}
          </div>
        </div>
      )}
      {unknown.length > 0 && (
        <div className="row wrap small">
          <span className="warn-text">Names the gateway does not know (never available):</span>
          {unknown.map((t) => (
            <Button
              key={t}
              size="sm"
              variant="ghost"
              aria-label={`Remove unknown tool ${t}`}
              onClick={() =>
                set({ ...(policy.allow ? { allow: policy.allow.filter((x) => x !== t) } : {}), deny: policy.deny.filter((x) => x !== t) })
              }
            >
              <code>{t}</code> ✕
            </Button>
          ))}
        </div>
      )}
      <div className="card card-pad" style={{ boxShadow: 'none' }}>
        <span className="section-title">In effect</span>
        <p className="small" style={{ marginTop: 4 }}>
          {effective.length === 0 ? (
            'No tools: the agent only talks.'
          ) : (
            <>
              The agent can use{' '}
              {effective.map((t, i) => (
                <span key={t}>
                  {i > 0 ? ', ' : ''}
                  <code>{t}</code>
                </span>
              ))}
              .
            </>
          )}
        </p>
        {ownerOnly.length > 0 && (
          <p className="small" style={{ marginTop: 4 }}>
            {forOthers.length === 0
              ? `${ownerOnly.join(', ')}: only when one of its owners asks.`
              : `${forOthers.join(', ')}: for anyone who can write to it${forOthers.length < ownerOnly.length ? `; ${ownerOnly.filter((t) => !forOthers.includes(t)).join(', ')}: owners only` : ''}.`}{' '}
            Its private files (MEMORY.md, memory/, SOUL.md, AGENTS.md, USER.md, IDENTITY.md) are for its owners only.
          </p>
        )}
      </div>
      {error && (
        <div className="small danger-text" role="alert">
          {error}
        </div>
      )}
      <Warnings list={warningsOf(issues, 'tools')} />
    </>
  );
}
