// The quarantine file of unreadable channel input: one redacted JSON line per input, counted,
// size-capped by rotating to `<account>.1.jsonl`, and never an error that stops the adapter.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Quarantine, quarantinePath, QUARANTINE_PAYLOAD_CHARS } from '../../src-main/channels/quarantine.ts';
import type { Logger } from '../../src-main/log.ts';

function collecting(): Logger & { lines: { level: string; message: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  return { lines, log: (level, message, fields) => lines.push({ level, message, ...(fields ? { fields } : {}) }) };
}

const readLines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('Quarantine', () => {
  it('keeps each unreadable input as a redacted line, counts it and logs it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-q-'));
    const log = collecting();
    const q = new Quarantine({ stateDir: dir, channel: 'telegram', accountId: 'default', log });
    const token = '123456789:AAbbccddeeffgghhiijjkkllmmnnooppqqrr';
    await q.keep({ update_id: 5, message: { text: `my token is ${token}` } }, 'message.chat: expected object');
    expect(q.unreadable).toBe(1);
    const file = quarantinePath(dir, 'telegram', 'default');
    expect(file).toBe(path.join(dir, 'quarantine', 'telegram', 'default.jsonl'));
    const [entry] = await readLines(file);
    expect(entry).toMatchObject({
      channel: 'telegram',
      accountId: 'default',
      reason: 'message.chat: expected object',
      payload: { update_id: 5 },
    });
    expect(JSON.stringify(entry)).not.toContain(token);
    expect(JSON.stringify(entry)).toContain('[redacted]');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(log.lines).toEqual([
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ reason: 'message.chat: expected object' }) }),
    ]);
  });

  it('a flood rotates the file at the cap: at most two files, the latest input always kept', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-q-'));
    const cap = 4096;
    const q = new Quarantine({ stateDir: dir, channel: 'discord', accountId: 'ops', log: collecting(), fileBytes: cap });
    for (let i = 0; i < 200; i++) await q.keep({ id: i, pad: 'x'.repeat(300) }, 'bad');
    const file = quarantinePath(dir, 'discord', 'ops');
    const older = file.replace(/\.jsonl$/, '.1.jsonl');
    expect((await stat(file)).size).toBeLessThanOrEqual(cap);
    expect((await stat(older)).size).toBeLessThanOrEqual(cap);
    const current = await readLines(file);
    expect(current.at(-1)).toMatchObject({ payload: { id: 199 } });
    expect(q.unreadable).toBe(200);
  });

  it('an oversized payload is cut, not dropped', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-q-'));
    const q = new Quarantine({ stateDir: dir, channel: 'whatsapp', accountId: 'p', log: collecting() });
    await q.keep({ blob: 'y'.repeat(QUARANTINE_PAYLOAD_CHARS * 2) }, 'too odd');
    const [entry] = await readLines(quarantinePath(dir, 'whatsapp', 'p'));
    expect(entry!.payload).toMatchObject({ truncated: true });
    expect((entry!.payload as { json: string }).json).toHaveLength(QUARANTINE_PAYLOAD_CHARS);
  });

  it('a quarantine that cannot be written is logged; the input is still counted and keep() resolves', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-q-'));
    await writeFile(path.join(dir, 'quarantine'), 'a file where the folder should be');
    const log = collecting();
    const q = new Quarantine({ stateDir: dir, channel: 'telegram', accountId: 'default', log });
    await expect(q.keep({}, 'bad')).resolves.toBeUndefined();
    expect(q.unreadable).toBe(1);
    expect(log.lines.map((l) => l.message)).toContain('could not write the quarantine file');
  });
});
