/** Signed in: the greeting, the token clock, the tabs, the event log and the two APIs. */
import type { ReactNode } from 'react';
import { useSession } from 'latchkey/react';
import { apis, type DemoUser } from '../session.ts';
import { ApiCard } from './ApiCard.tsx';
import { EventLog } from './EventLog.tsx';
import { TabsCard } from './TabsCard.tsx';
import { TokenCard } from './TokenCard.tsx';
import { displayName } from './TopBar.tsx';

export function Dashboard(): ReactNode {
  const { user } = useSession<DemoUser>();
  return (
    <>
      <section className="greeting">
        <h1>
          Hello, <span id="user-name">{user ? displayName(user) : ''}</span>
        </h1>
        <p className="lead">
          You are signed in. Nothing below reads a token string: the page shows lengths, audiences and expiry times,
          the way your own UI should.
        </p>
      </section>
      <div className="grid">
        <TokenCard />
        <TabsCard />
        <EventLog />
        <section className="card card-wide" aria-labelledby="apis-title">
          <h2 id="apis-title">Two APIs, two tokens</h2>
          <p className="card-text">
            <code>session.fetch</code> adds the right token for each origin in <code>apiOrigins</code>: the Projects API
            gets the session's token; the Billing API one of its own, for its audience and the narrower scope{' '}
            <code>billing:read</code>. Each API refuses the other's token.
          </p>
          <div className="api-grid">
            <ApiCard id="api" api={apis.main} />
            <ApiCard id="billing" api={apis.billing} ownToken />
          </div>
        </section>
      </div>
    </>
  );
}
