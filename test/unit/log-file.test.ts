// Log files in <stateDir>/logs (docs/architecture.md#logs): redacted lines, rotation by size,
// private files.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatewayLogger, openLogFile } from '../../src-main/log-file.ts';
import { createLogger, effectiveLevel } from '../../src-main/log.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-logs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('log file', () => {
  it('appends lines and keeps them across a reopen', async () => {
    const a = openLogFile({ dir });
    a.write('one\n');
    a.close();
    const b = openLogFile({ dir });
    b.write('two\n');
    b.close();
    expect(await readFile(path.join(dir, 'switchboard.log'), 'utf8')).toBe('one\ntwo\n');
  });

  it('rotates before a line would pass the size limit and keeps only the newest rotated files', async () => {
    const log = openLogFile({ dir, maxBytes: 20, keep: 2 });
    for (const n of [1, 2, 3, 4, 5, 6, 7]) log.write(`line ${n} of seven\n`); // 16 bytes each: one line per file
    log.close();
    expect((await readdir(dir)).sort()).toEqual(['switchboard.1.log', 'switchboard.2.log', 'switchboard.log']);
    expect(await readFile(path.join(dir, 'switchboard.log'), 'utf8')).toBe('line 7 of seven\n');
    expect(await readFile(path.join(dir, 'switchboard.1.log'), 'utf8')).toBe('line 6 of seven\n');
    expect(await readFile(path.join(dir, 'switchboard.2.log'), 'utf8')).toBe('line 5 of seven\n');
  });

  it('is readable by its owner only', async () => {
    if (process.platform === 'win32') return;
    const log = openLogFile({ dir: path.join(dir, 'logs') });
    log.write('x\n');
    log.close();
    expect((await stat(path.join(dir, 'logs', 'switchboard.log'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'logs'))).mode & 0o777).toBe(0o700);
  });
});

describe('gateway logger', () => {
  it('writes the same redacted JSON line to stderr and to <stateDir>/logs/switchboard.log', async () => {
    const stderr: string[] = [];
    const { log, file } = gatewayLogger({ stateDir: dir, env: {}, stderr: (line) => stderr.push(line) });
    log.log('warn', 'telegram refused the token', { token: 'bot123456:AAH-secretsecretsecretsecretsecret12', chat: 42 });
    log.log('debug', 'not at info level');
    file.close();
    const onDisk = await readFile(path.join(dir, 'logs', 'switchboard.log'), 'utf8');
    expect(onDisk).toBe(stderr.join(''));
    const entry = JSON.parse(onDisk) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'warn', msg: 'telegram refused the token', chat: 42 });
    expect(onDisk).not.toContain('AAH-secret');
  });

  it('writes human lines to a terminal stderr while the file keeps JSON lines', async () => {
    const stderr: string[] = [];
    const { log, file } = gatewayLogger({ stateDir: dir, env: {}, stderr: (line) => stderr.push(line), stderrFormat: 'human' });
    createLogger('telegram', log).warn('telegram refused the token', { token: 'bot123456:AAH-secretsecretsecretsecretsecret12', chat: 42 });
    file.close();
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^\d\d:\d\d:\d\d WARN {2}telegram telegram refused the token token=bot123456:\[redacted\] chat=42\n$/);
    const entry = JSON.parse(await readFile(path.join(dir, 'logs', 'switchboard.log'), 'utf8')) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 'warn',
      module: 'telegram',
      msg: 'telegram refused the token',
      token: 'bot123456:[redacted]',
      chat: 42,
    });
  });

  it('takes its level from SWITCHBOARD_LOG_LEVEL, else the config, else info', () => {
    expect(effectiveLevel({ SWITCHBOARD_LOG_LEVEL: 'error' }, 'debug')).toBe('error');
    expect(effectiveLevel({}, 'debug')).toBe('debug');
    expect(effectiveLevel({}, 'trace')).toBe('debug');
    expect(effectiveLevel({}, undefined)).toBe('info');
    expect(effectiveLevel({ SWITCHBOARD_LOG_LEVEL: 'nonsense' }, 'warn')).toBe('warn');
  });
});
