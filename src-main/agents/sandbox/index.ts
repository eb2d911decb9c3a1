// The sandbox behind the exec tool: whether this machine has one, the policy an agent's config
// gives a command, the OS sandbox that enforces it, and the command runner that leaves nothing
// running after a call.
import type { ExecSandbox } from './os-sandbox.ts';
import type { PolicyInput } from './policy.ts';

export { OsSandbox, shellQuote, type ExecSandbox, type WrappedCommand } from './os-sandbox.ts';
export { sandboxApplies, sandboxPolicy, type PolicyInput, type SandboxPolicy } from './policy.ts';
export {
  agentsWithoutSandbox,
  detectSandboxSupport,
  sandboxUnavailableReason,
  type SandboxDetection,
  type SandboxSupport,
} from './support.ts';
export {
  EXEC_MARKER_VAR,
  EXEC_OUTPUT_MAX,
  killStragglers,
  PIPE_GRACE_MS,
  runArgv,
  type RunOptions,
  type RunResult,
} from './run-command.ts';

/** Handed to a turn whose exec must run confined: the sandbox and what the policy is made from. */
export interface ExecConfinement {
  sandbox: ExecSandbox;
  /** Everything but the scratch folder, which exec makes per call for `workspaceAccess: "none"`. */
  input: Omit<PolicyInput, 'scratch'>;
}
