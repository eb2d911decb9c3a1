// The OS sandbox behind exec, built on @anthropic-ai/sandbox-runtime: bubblewrap on Linux (mount,
// pid, network and user namespaces; network only through the library's filtering proxy),
// sandbox-exec on macOS. The library is one per process, so its own policy is "nothing" and every
// call brings the agent's policy: filesystem rules per wrap, allowed hosts per command id.
import { randomBytes } from 'node:crypto';
import type { SandboxManager, SandboxRuntimeConfig } from '@anthropic-ai/sandbox-runtime';

type Manager = typeof SandboxManager;
import type { SandboxPolicy } from './policy.ts';
import { detectSandboxSupport, type SandboxDetection, type SandboxSupport } from './support.ts';

export interface WrappedCommand {
  /** Spawn this argv (no shell of ours) instead of the command's. */
  argv: string[];
  /** Call once the child has exited: drops the call's network list and the library's per-call files. */
  release(): void;
}

/** What exec needs from a sandbox; the gateway owns one per process. */
export interface ExecSandbox {
  support(): SandboxSupport;
  wrap(argv: string[], policy: SandboxPolicy, signal: AbortSignal): Promise<WrappedCommand>;
}

/** POSIX single quotes: the library runs the command through `bash -c` inside the sandbox. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
}

/** The process-wide part: no host reachable, nothing writable, nothing denied beyond the per-call rules. */
const BASE_CONFIG: SandboxRuntimeConfig = {
  network: { allowedDomains: [], deniedDomains: [] },
  filesystem: { denyRead: [], allowWrite: [], denyWrite: [] },
  // The library looks for dangerous files (.bashrc, .git/hooks…) below the *gateway's* working
  // folder, which is not where commands run; keep that walk short.
  mandatoryDenySearchDepth: 1,
};

/**
 * The library binds its own temp folder writable into every sandbox when it exists (Claude Code
 * makes it): shared by all agents, so it stays read-only here and the workspace is the only
 * writable place.
 */
const SHARED_SCRATCH = ['/tmp/claude', '/private/tmp/claude'];

export class OsSandbox implements ExecSandbox {
  private detected: SandboxSupport | undefined;
  /** The library, loaded and initialised with the first sandboxed command (it costs ~40 MB). */
  private ready: Promise<Manager> | undefined;

  constructor(private readonly detect: SandboxDetection = () => detectSandboxSupport()) {}

  support(): SandboxSupport {
    return (this.detected ??= this.detect());
  }

  private init(): Promise<Manager> {
    this.ready ??= (async () => {
      const { SandboxManager } = await import('@anthropic-ai/sandbox-runtime');
      await SandboxManager.initialize(BASE_CONFIG);
      return SandboxManager;
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  async wrap(argv: string[], policy: SandboxPolicy, signal: AbortSignal): Promise<WrappedCommand> {
    const support = this.support();
    if (!support.available) throw new Error(`the sandbox cannot run here: ${support.reason}`);
    const SandboxManager = await this.init();
    // Unguessable: the id is what ties a connection to this call's allowed hosts.
    const commandId = randomBytes(16).toString('base64url');
    if (policy.network.length > 0) SandboxManager.registerCommandNetworkLists(commandId, { allowedDomains: policy.network });
    let wrapped: { argv: string[] };
    try {
      wrapped = await SandboxManager.wrapWithSandboxArgv(
        `exec ${shellQuote(argv)}`,
        undefined,
        {
          filesystem: { denyRead: policy.denyRead, allowRead: policy.allowRead, allowWrite: policy.allowWrite, denyWrite: SHARED_SCRATCH },
        },
        signal,
        policy.cwd,
        { commandId, commandText: argv.join(' ') },
      );
    } catch (err) {
      SandboxManager.unregisterCommandNetworkLists(commandId);
      throw err;
    }
    let released = false;
    return {
      argv: wrapped.argv,
      release: () => {
        if (released) return;
        released = true;
        SandboxManager.unregisterCommandNetworkLists(commandId);
        SandboxManager.cleanupAfterCommand();
      },
    };
  }
}
