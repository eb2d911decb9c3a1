// The virtualised transcript: only the rows on screen are in the DOM, measured as they render.
// It opens at the end; scrolling near the top reads the previous page, and the end anchoring of
// @tanstack/react-virtual keeps the row under the reader's eyes where it was. New rows follow the
// end only while the reader is there; otherwise a "New messages" pill offers the jump.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Button } from '../../ui/controls.tsx';
import type { Item } from './items.ts';
import { MessageRow, type RowActions } from './MessageRow.tsx';

/** Distance from the top (px) at which the previous page is requested. */
const LOAD_OLDER_AT = 800;
const END_THRESHOLD = 80;

const ESTIMATES: Record<Item['kind'], number> = {
  start: 44,
  day: 40,
  event: 32,
  typing: 60,
  user: 78,
  assistant: 104,
  tool: 46,
  error: 70,
};

export interface TranscriptListProps {
  items: Item[];
  hasMore: boolean;
  older: 'idle' | 'loading' | 'error';
  olderError: string | undefined;
  onLoadOlder(): void;
  /** Changes when the operator sent something: show the end. */
  followSignal: number;
  actions: RowActions;
  label: string;
}

export function TranscriptList({ items, hasMore, older, olderError, onLoadOlder, followSignal, actions, label }: TranscriptListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // Paging starts only once the first scroll to the end is done (scrollTop is 0 before it).
  const [ready, setReady] = useState(false);
  const [atEnd, setAtEnd] = useState(true);
  const [unseen, setUnseen] = useState(false);
  const atEndRef = useRef(true);
  const v = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => ESTIMATES[items[i]?.kind ?? 'assistant'],
    getItemKey: (i) => items[i]?.key ?? i,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: END_THRESHOLD,
    overscan: 6,
    paddingStart: 12,
    paddingEnd: 16,
  });

  const readyJustNow = useRef(false);
  useLayoutEffect(() => {
    v.scrollToEnd();
    const timer = setTimeout(() => {
      readyJustNow.current = true;
      setReady(true);
    }, 250);
    return () => clearTimeout(timer);
  }, [v]);

  // A smaller viewport (window resized, composer grown) keeps the reader at the end if they were there.
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return undefined;
    let height = el.clientHeight;
    const observer = new ResizeObserver(() => {
      if (el.clientHeight === height) return;
      height = el.clientHeight;
      if (atEndRef.current) requestAnimationFrame(() => v.scrollToEnd());
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [v]);

  const wantOlder = (): void => {
    const el = scrollRef.current;
    if (!el || !ready || !hasMore || older !== 'idle') return;
    if (el.scrollTop < LOAD_OLDER_AT) onLoadOlder();
  };

  // A first page too short to scroll gets the one before it, and a reader who reached the top
  // before paging started gets it now; otherwise only scrolling reads more.
  useEffect(() => {
    const el = scrollRef.current;
    if (el && (el.scrollHeight - el.clientHeight < LOAD_OLDER_AT || readyJustNow.current)) wantOlder();
    readyJustNow.current = false;
  });

  const lastKey = items[items.length - 1]?.key;
  const prevLast = useRef(lastKey);
  useEffect(() => {
    if (prevLast.current === lastKey) return;
    prevLast.current = lastKey;
    if (!atEndRef.current) setUnseen(true);
  }, [lastKey]);

  const prevSignal = useRef(followSignal);
  useEffect(() => {
    if (prevSignal.current === followSignal) return;
    prevSignal.current = followSignal;
    v.scrollToEnd();
  }, [followSignal, v]);

  const onScroll = (): void => {
    // Read from the element: React may deliver the event before the virtualizer has seen it.
    const el = scrollRef.current!;
    const end = el.scrollHeight - el.clientHeight - el.scrollTop <= END_THRESHOLD;
    atEndRef.current = end;
    setAtEnd(end);
    if (end) setUnseen(false);
    wantOlder();
  };

  const virtualItems = v.getVirtualItems();
  return (
    <div className="insp-scroll-wrap">
      <div
        ref={scrollRef}
        className="insp-scroll"
        tabIndex={0}
        role="region"
        aria-label={label}
        onScroll={onScroll}
        data-testid="transcript-scroll"
      >
        <div className="insp-canvas" style={{ height: v.getTotalSize() }}>
          {virtualItems.map((vi) => {
            const item = items[vi.index]!;
            return (
              <div
                key={vi.key}
                ref={v.measureElement}
                data-index={vi.index}
                data-key={item.key}
                className="insp-row"
                style={{ transform: `translateY(${vi.start}px)` }}
              >
                <MessageRow item={item} actions={actions} />
              </div>
            );
          })}
        </div>
      </div>
      {older === 'loading' && (
        <div className="insp-float top" role="status">
          <span className="spinner" aria-hidden="true" />
          Loading earlier messages…
        </div>
      )}
      {older === 'error' && (
        <div className="insp-float top error" role="alert">
          <span>Could not load earlier messages: {olderError}</span>
          <Button size="sm" onClick={onLoadOlder}>
            Retry
          </Button>
        </div>
      )}
      {ready && !atEnd && (
        <button
          type="button"
          className={`insp-pill ${unseen ? 'unseen' : ''}`}
          onClick={() => {
            setUnseen(false);
            v.scrollToEnd();
          }}
        >
          {unseen ? 'New messages' : 'Jump to latest'} <span aria-hidden="true">↓</span>
        </button>
      )}
    </div>
  );
}
