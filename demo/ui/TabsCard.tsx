/** "Open another tab": watch two tabs share one session and one refresh. */
import type { ReactNode } from 'react';
import { useEvents } from './hooks.ts';

/** A name for this tab, for the visitor to tell tabs apart. */
const TAB_NAME = `Tab ${Math.floor(Math.random() * 900 + 100)}`;

export function TabsCard(): ReactNode {
  const events = useEvents();
  const count = (type: string) => events.filter((event) => event.type === type).length;
  return (
    <section className="card" aria-labelledby="tabs-title">
      <h2 id="tabs-title">Tabs in sync</h2>
      <p className="card-text">
        This is <strong id="tab-name">{TAB_NAME}</strong>. Open another: it is signed in at once, from the shared vault.
        When the token is due, one tab refreshes it (under a Web Lock); the other logs <code>tab_synced</code> and sends
        no request. Log out in either and both are signed out.
      </p>
      <button type="button" id="open-tab" className="button button-secondary" onClick={() => window.open('/', '_blank')}>
        Open another tab
      </button>
      <p className="tally">
        In this tab: <strong id="refresh-count">{count('refreshed')}</strong> refreshes,{' '}
        <strong id="sync-count">{count('tab_synced')}</strong> syncs from other tabs.
      </p>
    </section>
  );
}
