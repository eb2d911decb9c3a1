// The control plane's local socket: `<stateDir>/control.sock` (owner-only Unix socket) or a named
// pipe on Windows, which the desktop app serves instead of a TCP port. Where it lives, how it is
// opened (replacing a stale file left by a crash), and the upgrade check that applies to it.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { CONTROL_PATH } from '../../src-shared/protocol/frames.ts';
import type { UpgradeVerdict } from './upgrade-guard.ts';

/** The local control socket of a state dir: `<stateDir>/control.sock`, or a named pipe on Windows. */
export function controlSocketPath(stateDir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'win32') return path.join(stateDir, 'control.sock');
  // Pipes live in one machine-wide namespace: name ours after the state dir (case-folded, as Windows paths are).
  const id = createHash('sha256').update(path.win32.resolve(stateDir).toLowerCase()).digest('hex').slice(0, 16);
  return `\\\\.\\pipe\\switchboard-control-${id}`;
}

/**
 * Upgrade check for the local socket: the right path and no Origin. Host is meaningless here (DNS
 * rebinding cannot reach a socket file), and a browser never connects to one, so an Origin means
 * something is relaying a web page's request.
 */
export function checkSocketUpgrade(req: IncomingMessage): UpgradeVerdict {
  const target = req.url ?? '';
  if (!target.startsWith('/')) return { ok: false, status: 400, reason: 'bad request target' };
  if (target.split('?', 1)[0] !== CONTROL_PATH) return { ok: false, status: 404, reason: 'no such endpoint' };
  if (req.headersDistinct.origin !== undefined) return { ok: false, status: 403, reason: 'origin not allowed' };
  return { ok: true };
}

/** Listens on a Unix socket (owner-only) or a named pipe, replacing a socket file nobody serves. */
export async function listenOnSocket(server: Server, socketPath: string): Promise<void> {
  const isPipe = socketPath.startsWith('\\\\');
  // sun_path holds 108 bytes on Linux, 104 on macOS (with the NUL); some libuv versions silently
  // bind a truncated path instead of failing, so check first.
  if (!isPipe && Buffer.byteLength(socketPath) > (process.platform === 'darwin' ? 103 : 107)) {
    throw describeSocketError(Object.assign(new Error('path too long'), { code: 'ENAMETOOLONG' }), socketPath);
  }
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ path: socketPath, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen();
  } catch (err) {
    if (isPipe || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw describeSocketError(err, socketPath);
    if (await socketAnswers(socketPath))
      throw new Error(`control socket ${socketPath} is already served by another process`, { cause: err });
    await fs.rm(socketPath, { force: true }); // left by a process that died without closing it
    await listen().catch((again: unknown) => {
      throw describeSocketError(again, socketPath);
    });
  }
  // The state dir is 0700 already; the socket itself is owner-only as well, whatever the umask was.
  if (!isPipe) {
    await fs.chmod(socketPath, 0o600).catch(async (err: unknown) => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw describeSocketError(err, socketPath);
    });
  }
}

function describeSocketError(err: unknown, socketPath: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EINVAL' || code === 'ENAMETOOLONG') {
    return new Error(
      `cannot create the control socket ${socketPath}: the path is too long for a Unix socket (about 100 bytes at most); use a shorter state dir`,
      { cause: err },
    );
  }
  return new Error(`cannot create the control socket ${socketPath}: ${(err as Error).message}`, { cause: err });
}

function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
