// The ordered binding list: tier badge, what each binding matches, its problems from the checker,
// and reordering by drag and drop or from the keyboard (Alt+↑/↓ on a row, or the move buttons).
// Shorthand bindings from `channels.<ch>.agent` follow, read-only: they always come last.
import { useLayoutEffect, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { Badge, Button } from '../../ui/controls.tsx';
import { channelName } from '../../ui/format.ts';
import { rowTier, type DraftAnalysis, type DraftRow, type RowIssue, type ShorthandRow } from './draft.ts';
import { AgentLabel, TierBadge, bindingSummary, matchChips, type AgentChoice } from './parts.tsx';
import { IssueText } from '../../ui/IssueText.tsx';

export interface BindingListProps {
  rows: DraftRow[];
  analysis: DraftAnalysis;
  agents: AgentChoice[];
  /** Combined-list index of the binding that decides the route tester's message. */
  decidedIndex: number | null;
  /** Row briefly highlighted after "show binding". */
  flashIndex: number | null;
  onMove(from: number, gap: number): void;
  onEdit(index: number): void;
  onRemove(index: number): void;
  onReveal(index: number): void;
}

type FocusTarget = 'row' | 'up' | 'down';

export const rowId = (index: number): string => `binding-row-${index}`;

export function BindingList({ rows, analysis, agents, decidedIndex, flashIndex, onMove, onEdit, onRemove, onReveal }: BindingListProps) {
  const [drag, setDrag] = useState<{ from: number; gap: number | null } | undefined>();
  const pendingFocus = useRef<{ key: string; target: FocusTarget } | undefined>(undefined);
  const listRef = useRef<HTMLOListElement>(null);

  // After a keyboard move the row has a new place: keep focus on it (or on the button pressed).
  useLayoutEffect(() => {
    const want = pendingFocus.current;
    if (!want) return;
    pendingFocus.current = undefined;
    const row = listRef.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(want.key)}"]`);
    const button = want.target === 'row' ? null : row?.querySelector<HTMLButtonElement>(`[data-move="${want.target}"]`);
    (button && !button.disabled ? button : row)?.focus();
  }, [rows]);

  const move = (index: number, delta: -1 | 1, target: FocusTarget) => {
    const to = index + delta;
    if (to < 0 || to >= rows.length) return;
    pendingFocus.current = { key: rows[index]!.key, target };
    onMove(index, delta < 0 ? to : to + 1);
  };

  const remove = (index: number) => {
    const next = rows[index + 1] ?? rows[index - 1];
    pendingFocus.current = next ? { key: next.key, target: 'row' } : undefined;
    onRemove(index);
  };

  // One row is in the tab order (roving tabindex); arrows move between rows.
  const [activeKey, setActiveKey] = useState<string | undefined>(undefined);
  const tabKey = rows.some((r) => r.key === activeKey) ? activeKey : rows[0]?.key;

  const focusRow = (index: number) => {
    const key = rows[Math.max(0, Math.min(rows.length - 1, index))]?.key;
    if (key) listRef.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
  };

  const onRowKey = (e: KeyboardEvent<HTMLLIElement>, index: number) => {
    if (e.target !== e.currentTarget) return;
    if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      move(index, e.key === 'ArrowUp' ? -1 : 1, 'row');
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      focusRow(index + (e.key === 'ArrowUp' ? -1 : 1));
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      focusRow(e.key === 'Home' ? 0 : rows.length - 1);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      onEdit(index);
    } else if (e.key === 'Delete') {
      e.preventDefault();
      remove(index);
    }
  };

  const dragProps = (index: number) => ({
    draggable: true,
    onDragStart: (e: DragEvent<HTMLLIElement>) => {
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', String(index));
      setDrag({ from: index, gap: null });
    },
    onDragOver: (e: DragEvent<HTMLLIElement>) => {
      if (!drag) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      const box = e.currentTarget.getBoundingClientRect();
      const gap = e.clientY < box.top + box.height / 2 ? index : index + 1;
      if (gap !== drag.gap) setDrag({ ...drag, gap });
    },
    onDrop: (e: DragEvent<HTMLLIElement>) => {
      e.preventDefault();
      if (drag?.gap !== null && drag?.gap !== undefined) onMove(drag.from, drag.gap);
      setDrag(undefined);
    },
    onDragEnd: () => setDrag(undefined),
  });

  // A gap right before or after the dragged row would not move it: no indicator there.
  const gap = drag && drag.gap !== null && drag.gap !== drag.from && drag.gap !== drag.from + 1 ? drag.gap : null;

  return (
    <>
      <p id="binding-keys-hint" className="sr-only">
        Up and Down arrows go to the next binding; Alt plus Up or Down moves this one. Enter edits it, Delete removes it.
      </p>
      <ol className="bnd-list" aria-label="Bindings" ref={listRef}>
        {rows.map((row, i) => {
          const issues = analysis.rows[i] ?? [];
          const errors = issues.filter((x) => x.severity === 'error');
          const shadowedBy = analysis.shadowedBy.get(i);
          const unknownAgent = issues.some((x) => x.code === 'unknown_agent');
          const cls = [
            'bnd-row',
            errors.length > 0 ? 'bnd-has-error' : shadowedBy !== undefined ? 'bnd-has-warning' : '',
            decidedIndex === i ? 'bnd-decided' : '',
            flashIndex === i ? 'bnd-flash' : '',
            drag?.from === i ? 'bnd-dragging' : '',
            gap === i ? 'bnd-drop-before' : '',
            gap === i + 1 && i === rows.length - 1 ? 'bnd-drop-after' : '',
          ]
            .filter(Boolean)
            .join(' ');
          return (
            <li
              key={row.key}
              id={rowId(i)}
              data-key={row.key}
              className={cls}
              tabIndex={row.key === tabKey ? 0 : -1}
              onFocus={(e) => {
                if (e.target === e.currentTarget) setActiveKey(row.key);
              }}
              onDoubleClick={(e) => {
                if (!(e.target as HTMLElement).closest('button')) onEdit(i);
              }}
              aria-label={`Binding ${i}: ${bindingSummary(row.binding, agents)}`}
              aria-describedby="binding-keys-hint"
              onKeyDown={(e) => onRowKey(e, i)}
              {...dragProps(i)}
            >
              <span className="bnd-drag-handle" aria-hidden="true" title="Drag to reorder">
                ⠿
              </span>
              <span className="bnd-index" title={`bindings[${i}]`}>
                {i}
              </span>
              <div className="bnd-main">
                <div className="bnd-line">
                  <AgentLabel agentId={row.binding.agentId} agents={agents} />
                  <span className="bnd-target">
                    <span className="bnd-arrow" aria-hidden="true">
                      ←
                    </span>
                    {matchChips(row.binding).map((c) => (
                      <span key={c.key} className="bnd-chip" title={c.title}>
                        {c.label}
                      </span>
                    ))}
                  </span>
                </div>
                {row.binding.comment && <p className="bnd-comment small muted">{row.binding.comment}</p>}
              </div>
              <div className="bnd-badges">
                <TierBadge tier={rowTier(row.binding)} />
                {unknownAgent ? (
                  <Badge tone="danger">Unknown agent</Badge>
                ) : errors.length > 0 ? (
                  <Badge tone="danger">{errors.length === 1 ? 'Error' : `${errors.length} errors`}</Badge>
                ) : shadowedBy !== undefined ? (
                  <Badge tone="warn" title={`Shadowed by binding ${shadowedBy}`}>
                    Never matches
                  </Badge>
                ) : null}
                {decidedIndex === i && <Badge tone="accent">Decides test</Badge>}
              </div>
              <div className="bnd-actions">
                <Button
                  variant="ghost"
                  size="sm"
                  className="icon"
                  data-move="up"
                  aria-label={`Move binding ${i} up`}
                  title="Move up (Alt+↑)"
                  disabled={i === 0}
                  onClick={() => move(i, -1, 'up')}
                >
                  ↑
                </Button>
                <Button
                  variant="ghost"
                  size="sm"
                  className="icon"
                  data-move="down"
                  aria-label={`Move binding ${i} down`}
                  title="Move down (Alt+↓)"
                  disabled={i === rows.length - 1}
                  onClick={() => move(i, 1, 'down')}
                >
                  ↓
                </Button>
                <Button
                  variant="ghost"
                  size="sm"
                  className="icon"
                  aria-label={`Edit binding ${i}`}
                  title="Edit (Enter)"
                  onClick={() => onEdit(i)}
                >
                  ✎
                </Button>
                <Button
                  variant="ghost"
                  size="sm"
                  className="icon danger"
                  aria-label={`Remove binding ${i}`}
                  title="Remove (Delete)"
                  onClick={() => remove(i)}
                >
                  ✕
                </Button>
              </div>
              <IssueList issues={issues} shadowedBy={shadowedBy} onReveal={onReveal} />
            </li>
          );
        })}
      </ol>
    </>
  );
}

function IssueList({
  issues,
  shadowedBy,
  onReveal,
}: {
  issues: RowIssue[];
  shadowedBy: number | undefined;
  onReveal(index: number): void;
}) {
  if (issues.length === 0 && shadowedBy === undefined) return null;
  const shown = issues.filter((x) => x.code !== 'shadowed_binding');
  const shadow = issues.find((x) => x.code === 'shadowed_binding');
  return (
    <ul className="bnd-row-issues">
      {shown.map((x) => (
        <li key={`${x.path}:${x.code}:${x.message}`} className={`bnd-issue bnd-${x.severity}`}>
          <span className="bnd-issue-icon" aria-hidden="true">
            {x.severity === 'error' ? '✕' : '!'}
          </span>
          <span>
            <span className="sr-only">{x.severity}: </span>
            <IssueText issue={x.human} />
          </span>
        </li>
      ))}
      {shadowedBy !== undefined && (
        <li className="bnd-issue bnd-warning">
          <span className="bnd-issue-icon" aria-hidden="true">
            !
          </span>
          <span>
            <span className="sr-only">warning: </span>
            {shadow ? (
              <IssueText issue={{ ...shadow.human, fix: undefined }} />
            ) : (
              <>This binding can never match: binding {shadowedBy} already matches every message it would match.</>
            )}{' '}
            <button
              type="button"
              className="bnd-link-button"
              onClick={() => onReveal(shadowedBy)}
              aria-label={`Show binding ${shadowedBy}, which shadows this one`}
            >
              Show binding {shadowedBy}
            </button>
          </span>
        </li>
      )}
    </ul>
  );
}

export function ShorthandList({
  shorthands,
  shadowed,
  agents,
  decidedIndex,
  flashIndex,
  onReveal,
}: {
  shorthands: ShorthandRow[];
  shadowed: Map<number, number>;
  agents: AgentChoice[];
  decidedIndex: number | null;
  flashIndex: number | null;
  onReveal(index: number): void;
}) {
  return (
    <ol className="bnd-list bnd-shorthand-list" aria-label="Channel shorthand bindings">
      {shorthands.map((s) => {
        const errors = s.issues.filter((x) => x.severity === 'error');
        const shadowedBy = shadowed.get(s.index);
        const cls = [
          'bnd-row',
          'bnd-readonly',
          errors.length > 0 ? 'bnd-has-error' : shadowedBy !== undefined ? 'bnd-has-warning' : '',
          decidedIndex === s.index ? 'bnd-decided' : '',
          flashIndex === s.index ? 'bnd-flash' : '',
        ]
          .filter(Boolean)
          .join(' ');
        return (
          <li
            key={s.channel}
            id={rowId(s.index)}
            className={cls}
            tabIndex={-1}
            aria-label={`Binding ${s.index}: ${s.agentId} ← ${channelName(s.channel)}, every account (from channels.${s.channel}.agent)`}
          >
            <span className="bnd-drag-handle" aria-hidden="true" />
            <span className="bnd-index" title={`channels.${s.channel}.agent`}>
              {s.index}
            </span>
            <div className="bnd-main">
              <div className="bnd-line">
                <AgentLabel agentId={s.agentId} agents={agents} />
                <span className="bnd-target">
                  <span className="bnd-arrow" aria-hidden="true">
                    ←
                  </span>
                  <span className="bnd-chip">{channelName(s.channel)}</span>
                  <span className="bnd-chip">every account</span>
                </span>
              </div>
              <p className="small muted">
                from <code>channels.{s.channel}.agent</code> — change it in the channel&apos;s settings or in the file; it always comes
                after the list above.
              </p>
            </div>
            <div className="bnd-badges">
              <TierBadge tier={8} />
              {errors.length > 0 ? (
                <Badge tone="danger">{s.issues.some((x) => x.code === 'unknown_agent') ? 'Unknown agent' : 'Error'}</Badge>
              ) : shadowedBy !== undefined ? (
                <Badge tone="warn" title={`Shadowed by binding ${shadowedBy}`}>
                  Never matches
                </Badge>
              ) : null}
              {decidedIndex === s.index && <Badge tone="accent">Decides test</Badge>}
            </div>
            <div className="bnd-actions bnd-readonly-note">
              <span className="small muted">read-only</span>
            </div>
            <IssueList issues={s.issues} shadowedBy={shadowedBy} onReveal={onReveal} />
          </li>
        );
      })}
    </ol>
  );
}
