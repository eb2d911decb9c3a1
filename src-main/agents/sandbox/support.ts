// Whether this machine can run the OS sandbox agents ask for: bubblewrap (+ socat) on Linux,
// sandbox-exec on macOS, nothing on Windows. Asked once; the answer decides whether an agent with
// `sandbox.mode` other than "off" may start. Tests inject their own detection.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export type SandboxSupport = { available: true; kind: 'bubblewrap' | 'sandbox-exec' } | { available: false; reason: string };

export type SandboxDetection = () => SandboxSupport;

/** The first executable `name` on PATH, or undefined. */
function onPath(name: string, envPath: string): string | undefined {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * What the sandbox library needs (bubblewrap, socat and ripgrep on Linux; sandbox-exec and ripgrep
 * on macOS), checked without loading the library (it costs a second and ~40 MB, so it is loaded
 * with the first sandboxed command). On Linux one real bubblewrap start with the namespaces exec
 * uses follows: a container without user namespaces has bwrap installed and still cannot sandbox.
 */
export function detectSandboxSupport(platform: NodeJS.Platform = process.platform, envPath = process.env.PATH ?? ''): SandboxSupport {
  if (platform === 'win32')
    return { available: false, reason: 'Windows has no OS sandbox Switchboard can use (bubblewrap on Linux, sandbox-exec on macOS)' };
  if (platform !== 'linux' && platform !== 'darwin') return { available: false, reason: `no OS sandbox is supported on ${platform}` };
  const needed: [string, string][] =
    platform === 'linux'
      ? [
          ['bwrap', 'bubblewrap (bwrap) not installed'],
          ['socat', 'socat not installed'],
          ['rg', 'ripgrep (rg) not found'],
        ]
      : [
          ['sandbox-exec', 'sandbox-exec not found'],
          ['rg', 'ripgrep (rg) not found'],
        ];
  const missing = needed.filter(([bin]) => !onPath(bin, platform === 'darwin' ? `${envPath}${path.delimiter}/usr/bin` : envPath));
  if (missing.length > 0) {
    const hint =
      platform === 'linux'
        ? ' (install bubblewrap, socat and ripgrep, e.g. "apt install bubblewrap socat ripgrep")'
        : ' (brew install ripgrep)';
    return { available: false, reason: `${missing.map(([, why]) => why).join('; ')}${hint}` };
  }
  if (platform === 'darwin') return { available: true, kind: 'sandbox-exec' };
  const probe = spawnSync(
    onPath('bwrap', envPath)!,
    [
      '--die-with-parent',
      '--unshare-pid',
      '--unshare-net',
      '--unshare-user',
      '--ro-bind',
      '/',
      '/',
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--',
      'true',
    ],
    { encoding: 'utf8', timeout: 10_000, env: { PATH: envPath } },
  );
  if (probe.error || probe.status !== 0) {
    const why = (probe.error?.message ?? probe.stderr ?? '').trim().split('\n')[0] || `exit code ${probe.status}`;
    return { available: false, reason: `bubblewrap is installed but cannot create its namespaces here: ${why}` };
  }
  return { available: true, kind: 'bubblewrap' };
}

/** The sentence users see for an agent that needs the sandbox on a machine without one. */
export function sandboxUnavailableReason(support: SandboxSupport & { available: false }): string {
  return `its sandbox cannot run here: ${support.reason}`;
}

/**
 * The agents of a config that cannot start on this machine because their sandbox cannot run here,
 * with the reason; detection runs only when some agent asks for a sandbox.
 */
export function agentsWithoutSandbox(
  agents: readonly { id: string; sandbox: { mode: string } }[],
  detect: SandboxDetection = () => detectSandboxSupport(),
): { agentId: string; reason: string }[] {
  const wanting = agents.filter((a) => a.sandbox.mode !== 'off');
  if (wanting.length === 0) return [];
  const support = detect();
  return support.available ? [] : wanting.map((a) => ({ agentId: a.id, reason: sandboxUnavailableReason(support) }));
}
