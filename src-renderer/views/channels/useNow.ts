// The current time, re-read every `everyMs` while the component is mounted: live countdowns and
// "2 min ago" labels without each row running its own timer.
import { useEffect, useState } from 'react';

export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** `m:ss` until `at` (minutes are not folded into hours: pairing codes live one hour); `0:00` once it has passed. */
export function countdown(at: number, now: number): string {
  const total = Math.max(0, Math.floor((at - now) / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}
