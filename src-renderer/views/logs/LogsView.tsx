// Logs: the gateway's recent log (redacted by the gateway before it is kept), live as `log.entries`
// batches arrive, filtered by lowest level, agent and channel; pause/follow; and "Copy diagnostics",
// the redacted bundle for a bug report (clipboard, or a file download where copying fails).
import { useEffect, useMemo, useRef, useState } from 'react';
import { errorText } from '../../gateway/client.ts';
import { useGateway } from '../../store/gateway.ts';
import { Banner, Button, PageHeader, Segmented } from '../../ui/controls.tsx';
import { channelName } from '../../ui/format.ts';
import { downloadText } from '../inspector/export-file.ts';
import { appendEntries, entryMatches, logTime, type LogEntry, type LogFilter, type LogLevel, VIEW_KEEP } from './entries.ts';
import './logs.css';

const LEVELS: { value: LogLevel; label: string }[] = [
  { value: 'debug', label: 'Debug' },
  { value: 'info', label: 'Info' },
  { value: 'warn', label: 'Warn' },
  { value: 'error', label: 'Error' },
];
const CHANNELS = ['telegram', 'discord', 'whatsapp', 'webchat'];

export function LogsView() {
  const client = useGateway((s) => s.client);
  const connection = useGateway((s) => s.connection);
  const agents = useGateway((s) => s.agents);
  const [filter, setFilter] = useState<LogFilter>({ level: 'info' });
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [held, setHeld] = useState<LogEntry[]>([]);
  const [paused, setPaused] = useState(false);
  const [skipped, setSkipped] = useState(0);
  const [meta, setMeta] = useState<{ level: string; file: string | null } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const open = connection.kind === 'open';

  // The tail for the current filters, then live batches (filtered here the same way).
  useEffect(() => {
    if (!client || !open) return;
    let live = true;
    let lastSeq = Number.POSITIVE_INFINITY; // nothing live is kept until the tail says where it ended
    const early: LogEntry[] = [];
    const off = client.on('log.entries', (batch) => {
      const fresh = batch.entries.filter((e) => entryMatches(e, filter));
      if (batch.skipped > 0) setSkipped((n) => n + batch.skipped);
      if (lastSeq === Number.POSITIVE_INFINITY) return void early.push(...fresh);
      const next = fresh.filter((e) => e.seq > lastSeq);
      if (next.length === 0) return;
      lastSeq = next[next.length - 1]!.seq;
      if (pausedRef.current) setHeld((h) => appendEntries(h, next));
      else setEntries((list) => appendEntries(list, next));
    });
    client
      .request('logs.tail', { limit: 500, ...filter })
      .then((tail) => {
        if (!live) return;
        const after = early.filter((e) => e.seq > tail.lastSeq);
        lastSeq = after.length > 0 ? after[after.length - 1]!.seq : tail.lastSeq;
        setEntries(appendEntries(tail.entries, after));
        setHeld([]);
        setMeta({ level: tail.level, file: tail.file });
        setError(undefined);
      })
      .catch((err: unknown) => live && setError(errorText(err)));
    return () => {
      live = false;
      off();
    };
  }, [client, open, filter]);

  const resume = () => {
    setEntries((list) => appendEntries(list, held));
    setHeld([]);
    setPaused(false);
  };

  return (
    <div className="page logs-page">
      <PageHeader
        title="Logs"
        subtitle="What the gateway is doing, live. Secrets are masked before a line is kept, here and in the diagnostics."
        actions={<DiagnosticsButtons />}
      />
      {error && (
        <Banner tone="danger" title="Could not read the log:">
          {error}
        </Banner>
      )}
      <div className="card logs-card">
        <div className="logs-toolbar" role="toolbar" aria-label="Log filters">
          <Segmented
            label="Lowest level"
            value={filter.level ?? 'debug'}
            options={LEVELS}
            onChange={(level) => setFilter((f) => ({ ...f, level }))}
          />
          <label className="logs-filter">
            <span className="field-label">Agent</span>
            <select
              className="select"
              aria-label="Agent"
              value={filter.agentId ?? ''}
              onChange={(e) => setFilter((f) => ({ ...f, agentId: e.target.value || undefined }))}
            >
              <option value="">All agents</option>
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name ?? a.id}
                </option>
              ))}
            </select>
          </label>
          <label className="logs-filter">
            <span className="field-label">Channel</span>
            <select
              className="select"
              aria-label="Channel"
              value={filter.channel ?? ''}
              onChange={(e) => setFilter((f) => ({ ...f, channel: e.target.value || undefined }))}
            >
              <option value="">All channels</option>
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {channelName(c)}
                </option>
              ))}
            </select>
          </label>
          <span className="grow" />
          {paused ? (
            <Button size="sm" variant="primary" onClick={resume}>
              Follow{held.length > 0 ? ` (${held.length} new)` : ''}
            </Button>
          ) : (
            <Button size="sm" onClick={() => setPaused(true)}>
              Pause
            </Button>
          )}
        </div>
        {skipped > 0 && (
          <p className="logs-note small" role="status">
            {skipped} {skipped === 1 ? 'line was' : 'lines were'} left out during a burst
            {meta?.file ? (
              <>
                {' '}
                — the log file has every line: <code>{meta.file}</code>
              </>
            ) : null}
            .
          </p>
        )}
        {meta?.level === 'silent' && (
          <p className="logs-note small">Logging is off (level “silent”): set logging.level in the config to see lines.</p>
        )}
        <LogLines entries={entries} follow={!paused} />
      </div>
      {meta?.file && (
        <p className="muted small logs-file">
          Older lines: <code>{meta.file}</code> (the gateway logs at level {meta.level}).
        </p>
      )}
    </div>
  );
}

function LogLines({ entries, follow }: { entries: LogEntry[]; follow: boolean }) {
  const ref = useRef<HTMLOListElement>(null);
  useEffect(() => {
    if (follow && ref.current) ref.current.scrollTop = ref.current.scrollHeight;
  }, [entries, follow]);
  const shown = useMemo(() => entries.slice(-VIEW_KEEP), [entries]);
  if (shown.length === 0) return <p className="logs-empty muted">No log lines match these filters yet.</p>;
  return (
    <ol className="logs-lines" ref={ref} aria-label="Log lines" aria-live="off">
      {shown.map((e) => (
        <li key={`${e.seq}:${e.time}`} className={`logs-line level-${e.level}`} data-level={e.level}>
          <time className="logs-time" dateTime={e.time}>
            {logTime(e.time)}
          </time>
          <span className="logs-level">{e.level.toUpperCase()}</span>
          <span className="logs-module">{e.module ?? ''}</span>
          <span className="logs-msg">
            {e.msg}
            {e.agentId && <span className="logs-tag"> agent={e.agentId}</span>}
            {e.channel && <span className="logs-tag"> channel={e.channel}</span>}
            {e.fields && <span className="logs-fields"> {e.fields}</span>}
          </span>
        </li>
      ))}
    </ol>
  );
}

/** "Copy diagnostics" to the clipboard, with "Download" beside it (and as the fallback when copying fails). */
function DiagnosticsButtons() {
  const client = useGateway((s) => s.client);
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string | undefined>();
  const fetchBundle = async (): Promise<string> => {
    const bundle = await client!.request('diagnostics.bundle');
    return `${JSON.stringify(bundle, null, 2)}\n`;
  };
  const fileName = () => `switchboard-diagnostics-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  const run = async (how: 'copy' | 'download') => {
    setBusy(true);
    setSaid(undefined);
    try {
      const text = await fetchBundle();
      if (how === 'copy') {
        try {
          await navigator.clipboard.writeText(text);
          setSaid('Diagnostics copied');
          return;
        } catch {
          downloadText(fileName(), text, 'application/json');
          setSaid('Copying was refused; the diagnostics were downloaded instead');
          return;
        }
      }
      downloadText(fileName(), text, 'application/json');
      setSaid('Diagnostics downloaded');
    } catch (err) {
      setSaid(`Could not build the diagnostics: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <span className="small muted" role="status" aria-live="polite">
        {said}
      </span>
      <Button size="sm" onClick={() => void run('download')} disabled={!client || busy}>
        Download diagnostics
      </Button>
      <Button size="sm" variant="primary" busy={busy} onClick={() => void run('copy')} disabled={!client}>
        Copy diagnostics
      </Button>
    </>
  );
}
