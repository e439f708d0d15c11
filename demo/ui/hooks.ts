/** Small hooks the demo's components share. */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { eventLog } from '../event-log.ts';

/** `Date.now()`, updated every `intervalMs`. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** The session's events so far, newest first. */
export function useEvents() {
  return useSyncExternalStore(eventLog.subscribe, eventLog.get, eventLog.get);
}

/** `m:ss` (or `h:mm:ss`) until `at`; `0:00` once past. */
export function countdown(at: number, now: number): string {
  const total = Math.max(0, Math.ceil((at - now) / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** `14:03:27`, local time. */
export function clockTime(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}
