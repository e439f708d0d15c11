/** The live log of this tab's session events (`createSession({ onEvent })`). */
import type { ReactNode } from 'react';
import { EVENT_MEANING } from '../event-log.ts';
import { clockTime, useEvents } from './hooks.ts';

export function EventLog(): ReactNode {
  const events = useEvents();
  return (
    <section className="card card-tall" aria-labelledby="log-title">
      <h2 id="log-title">Event log</h2>
      <p className="card-text">
        From <code>onEvent</code>, newest first. Events never carry a token, code or proof.
      </p>
      {events.length === 0 ? (
        <p className="empty">Nothing yet. Events appear as they happen.</p>
      ) : (
        <ol className="events" id="event-log" aria-live="polite">
          {events.map((event, index) => (
            <li key={`${event.at}-${events.length - index}`} className={`event event-${event.type}`} data-type={event.type}>
              <time className="event-time">{clockTime(event.at)}</time>
              <span className="event-type">{event.type}</span>
              {(event.reason || event.code) && (
                <span className="event-detail">{[event.reason, event.code].filter(Boolean).join(' · ')}</span>
              )}
              <span className="event-meaning">{EVENT_MEANING[event.type]}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
