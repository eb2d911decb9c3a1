// Named module loggers (createLogger) over the logging seam: the `module` field, bindings, level
// filtering at the sink, redaction, and the two line formats (JSON lines, human terminal lines).
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, streamLogger, terminalFormat, type Logger, type LogLevel } from '../../src-main/log.ts';
import { clearKnownSecrets, registerSecret } from '../../src-main/secrets/redact.ts';

afterEach(() => clearKnownSecrets());

function collector(): Logger & { entries: { level: LogLevel; message: string; fields: Record<string, unknown> | undefined }[] } {
  const entries: { level: LogLevel; message: string; fields: Record<string, unknown> | undefined }[] = [];
  return { entries, log: (level, message, fields) => entries.push({ level, message, fields }) };
}

// 20:31:02 local time, whatever the machine's time zone: the human format prints local time.
const AT = new Date(2025, 4, 6, 20, 31, 2, 345);
const clock = () => AT;

describe('createLogger', () => {
  it('puts the module name into every entry, at the level of the helper called', () => {
    const sink = collector();
    const log = createLogger('gateway', sink);
    log.debug('d');
    log.info('i', { agentId: 'main' });
    log.warn('w');
    log.error('e', { error: 'boom' });
    log.log('warn', 'via log');
    expect(sink.entries).toEqual([
      { level: 'debug', message: 'd', fields: { module: 'gateway' } },
      { level: 'info', message: 'i', fields: { agentId: 'main', module: 'gateway' } },
      { level: 'warn', message: 'w', fields: { module: 'gateway' } },
      { level: 'error', message: 'e', fields: { error: 'boom', module: 'gateway' } },
      { level: 'warn', message: 'via log', fields: { module: 'gateway' } },
    ]);
  });

  it('has bound methods, so `log.warn` can be handed on as a callback', () => {
    const sink = collector();
    const { warn } = createLogger('app', sink);
    warn('refused', { url: 'x' });
    expect(sink.entries).toEqual([{ level: 'warn', message: 'refused', fields: { url: 'x', module: 'app' } }]);
  });

  it('adds bindings to every entry; a child extends the name and keeps them', () => {
    const sink = collector();
    const log = createLogger('telegram', sink, { channel: 'telegram', accountId: 'work' });
    log.warn('polling failed', { error: 'timeout' });
    log.child('outbox').info('sent');
    expect(sink.entries.map((e) => e.fields)).toEqual([
      { channel: 'telegram', accountId: 'work', error: 'timeout', module: 'telegram' },
      { channel: 'telegram', accountId: 'work', module: 'telegram.outbox' },
    ]);
  });

  it('a module logger handed on as a sink logs under the new name, once, with its bindings', () => {
    const sink = collector();
    const adapter = createLogger('whatsapp', sink, { accountId: 'biz' });
    createLogger('whatsapp.baileys', adapter, { linking: 'yes' }).error('stream errored');
    expect(sink.entries).toEqual([
      { level: 'error', message: 'stream errored', fields: { accountId: 'biz', linking: 'yes', module: 'whatsapp.baileys' } },
    ]);
  });

  it('leaves level filtering to the sink: entries under its level are dropped', () => {
    const lines: string[] = [];
    const log = createLogger(
      'gateway',
      streamLogger((l) => lines.push(l), 'warn', { clock }),
    );
    log.debug('not shown');
    log.info('not shown either');
    log.warn('shown');
    log.error('shown too');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['shown', 'shown too']);
  });

  it('writes JSON lines with time, level, module, msg and the fields', () => {
    const lines: string[] = [];
    createLogger(
      'gateway',
      streamLogger((l) => lines.push(l), 'info', { clock }),
    ).warn('config reload rejected', { errors: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: AT.toISOString(),
      level: 'warn',
      module: 'gateway',
      msg: 'config reload rejected',
      errors: 2,
    });
  });

  it('redacts the message and the fields in both formats', () => {
    registerSecret('module-canary-secret-7');
    for (const format of ['json', 'human'] as const) {
      const lines: string[] = [];
      createLogger(
        'telegram',
        streamLogger((l) => lines.push(l), 'info', { format, clock }),
        { accountId: 'module-canary-secret-7' },
      ).error('token module-canary-secret-7 refused', {
        url: 'https://api.telegram.org/bot1234567:SECRETTOKEN/getMe',
        err: new Error('401 for module-canary-secret-7'),
      });
      const out = lines.join('');
      expect(out, format).not.toMatch(/module-canary-secret-7|SECRETTOKEN/);
      expect(out, format).toContain('[redacted]');
    }
  });
});

describe('human log lines', () => {
  it('read `HH:MM:SS LEVEL module  message key=value …` in local time', () => {
    const lines: string[] = [];
    const log = createLogger(
      'gateway',
      streamLogger((l) => lines.push(l), 'debug', { format: 'human', clock }),
    );
    log.warn('sending the reply failed', { agentId: 'main', attempts: 3, ok: false });
    log.info('gateway running');
    expect(lines).toEqual([
      '20:31:02 WARN  gateway  sending the reply failed agentId=main attempts=3 ok=false\n',
      '20:31:02 INFO  gateway  gateway running\n',
    ]);
  });

  it('quotes values with spaces, prints objects as JSON, skips undefined, and keeps one entry on one line', () => {
    const lines: string[] = [];
    const log = createLogger(
      'channels',
      streamLogger((l) => lines.push(l), 'info', { format: 'human', clock }),
    );
    log.error('inbound message failed\nsecond line', { error: 'no route for peer', paths: ['a.b', 'c'], gone: undefined, empty: '' });
    expect(lines).toEqual([
      '20:31:02 ERROR channels inbound message failed\\nsecond line error="no route for peer" paths=["a.b","c"] empty=""\n',
    ]);
  });

  it('are chosen for a terminal only, and never when JSON is asked for', () => {
    expect(terminalFormat({ isTTY: true })).toBe('human');
    expect(terminalFormat({ isTTY: true }, true)).toBe('json');
    expect(terminalFormat({ isTTY: false })).toBe('json');
    expect(terminalFormat({})).toBe('json');
  });
});
