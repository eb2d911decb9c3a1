// The control plane over a local socket (`<stateDir>/control.sock`), as the desktop app serves it
// to the CLI: same frames and token as the WebSocket, no TCP port, owner-only, no browser Origin.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_EVENTS, CONTROL_METHODS, type ControlEvents, type ControlMethods } from '../../src-shared/protocol/methods.ts';
import { ControlService, type Handlers } from '../../src-main/control/service.ts';
import { connectControl } from '../../src-main/control/ws-client.ts';
import { controlSocketPath, startControlServer, type ControlServer } from '../../src-main/control/ws-server.ts';

const TOKEN = 'x'.repeat(43);

function service() {
  const handlers = Object.fromEntries(
    Object.keys(CONTROL_METHODS).map((m) => [
      m,
      async () => {
        throw new Error('unused');
      },
    ]),
  ) as unknown as Handlers<ControlMethods>;
  handlers['agents.pause'] = async ({ agentId }, ctx) => ({ agentId: `${agentId}:${ctx.transport}`, paused: true });
  return new ControlService({ methods: CONTROL_METHODS, events: CONTROL_EVENTS, handlers });
}

describe.skipIf(process.platform === 'win32')('control socket (Unix)', () => {
  let dir: string;
  let sock: string;
  let server: ControlServer | undefined;

  beforeEach(async () => {
    // os.tmpdir() can be long on macOS; socket paths are limited to ~100 bytes.
    dir = await mkdtemp(path.join(process.platform === 'darwin' ? '/tmp' : os.tmpdir(), 'sbs-'));
    sock = controlSocketPath(dir);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const start = async () =>
    (server = await startControlServer({ service: service(), token: TOKEN, port: 0, socketPath: sock, version: '1' }));

  it('serves the same frames and token over <stateDir>/control.sock', async () => {
    const s = await start();
    expect(sock).toBe(path.join(dir, 'control.sock'));
    expect(s.url).toBe(`ws+unix://${sock}:/control`);
    expect(s.port).toBe(0);
    const client = await connectControl<ControlMethods, ControlEvents>(s.url, TOKEN, { timeoutMs: 3000 });
    await expect(client.request('agents.pause', { agentId: 'home' })).resolves.toEqual({ agentId: 'home:ws', paused: true });
    await client.close();
  });

  it('a wrong token is refused as on the WebSocket', async () => {
    const s = await start();
    await expect(connectControl(s.url, 'y'.repeat(43), { timeoutMs: 3000 })).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('the socket is owner-only (0600) and disappears when the server closes', async () => {
    await start();
    expect((await stat(sock)).mode & 0o777).toBe(0o600);
    await server!.close();
    server = undefined;
    expect(existsSync(sock)).toBe(false);
  });

  it('an upgrade carrying an Origin (a browser page relayed somehow) is refused before any frame', async () => {
    await start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        socketPath: sock,
        path: '/control',
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          Origin: 'https://evil.example',
        },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('a socket file left by a crashed process is replaced', async () => {
    const child = spawn(
      process.execPath,
      ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => console.log('up'))`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(existsSync(sock)).toBe(true);
    const s = await start();
    const client = await connectControl(s.url, TOKEN, { timeoutMs: 3000 });
    await client.close();
  });

  it('a socket another live process serves is not stolen', async () => {
    await start();
    await expect(startControlServer({ service: service(), token: TOKEN, port: 0, socketPath: sock, version: '1' })).rejects.toThrow(
      /already served by another process/,
    );
  });

  it('a path too long for a Unix socket fails with a message saying so', async () => {
    const long = path.join(dir, 'd'.repeat(120), 'control.sock');
    await expect(startControlServer({ service: service(), token: TOKEN, port: 0, socketPath: long, version: '1' })).rejects.toThrow(
      /cannot create the control socket/,
    );
  });
});

describe('control socket path', () => {
  it('is control.sock in the state dir on macOS and Linux', () => {
    expect(controlSocketPath('/home/ada/.switchboard', 'linux')).toBe(path.join('/home/ada/.switchboard', 'control.sock'));
  });

  it('is a named pipe per state dir on Windows (case-insensitive, like Windows paths)', () => {
    const a = controlSocketPath('C:\\Users\\Ada\\.switchboard', 'win32');
    expect(a).toMatch(/^\\\\\.\\pipe\\switchboard-control-[0-9a-f]{16}$/);
    expect(controlSocketPath('c:\\users\\ada\\.switchboard', 'win32')).toBe(a);
    expect(controlSocketPath('C:\\Users\\Bob\\.switchboard', 'win32')).not.toBe(a);
  });
});
