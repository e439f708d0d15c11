/**
 * The access token's lifetime: a live countdown to `expiresAt` and when
 * latchkey will refresh it (the later of 60 s before expiry and 75 % of the
 * lifetime). Its audience, scope and length come from the token, read here
 * and never shown.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { useSession } from 'latchkey/react';
import { tokenFacts, type TokenFacts } from '../token-facts.ts';
import { countdown, useNow } from './hooks.ts';

const LEEWAY_MS = 60_000;

export function TokenCard(): ReactNode {
  const { expiresAt, session } = useSession();
  const now = useNow();
  const [facts, setFacts] = useState<TokenFacts | null>(null);
  useEffect(() => {
    let live = true;
    session.getAccessToken().then((token) => live && setFacts(tokenFacts(token)), () => live && setFacts(null));
    return () => {
      live = false;
    };
  }, [session, expiresAt]);

  const issuedAt = facts?.issuedAt;
  const lifetime = expiresAt !== null && issuedAt !== undefined ? expiresAt - issuedAt : null;
  const refreshAt = expiresAt !== null && lifetime !== null ? Math.max(expiresAt - LEEWAY_MS, issuedAt! + lifetime * 0.75) : null;
  return (
    <section className="card" aria-labelledby="token-title">
      <h2 id="token-title">Access token</h2>
      <p className="big-number">
        <span id="expires-in">{expiresAt === null ? '–' : countdown(expiresAt, now)}</span>
        <span className="big-number-unit">left</span>
      </p>
      {expiresAt !== null && lifetime !== null && (
        <meter className="lifetime" min={0} max={lifetime} low={lifetime * 0.25} high={lifetime * 0.5} optimum={lifetime} value={Math.max(0, expiresAt - now)} />
      )}
      <p className="card-text" id="refresh-due">
        {refreshAt === null
          ? 'latchkey refreshes it before it expires.'
          : refreshAt > now
            ? `latchkey refreshes it in about ${countdown(refreshAt, now)}, in one tab for all tabs.`
            : 'Refreshing now…'}
      </p>
      {facts && (
        <dl className="facts">
          <dt>Audience</dt>
          <dd>{facts.audience ?? '(opaque token)'}</dd>
          <dt>Scope</dt>
          <dd>{facts.scope || '–'}</dd>
          <dt>Token</dt>
          <dd>{facts.format}, {facts.length} characters (never shown)</dd>
        </dl>
      )}
    </section>
  );
}
