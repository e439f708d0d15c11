/**
 * One API: a button that calls it with `session.fetch`, and what came back —
 * the status, who the API saw, the audience and scope it accepted, and the
 * token's length and expiry (from `getAccessToken`, never shown).
 */
import { useState, type ReactNode } from 'react';
import { isLatchkeyError } from 'latchkey';
import { useSession } from 'latchkey/react';
import { tokenFacts, type TokenFacts } from '../token-facts.ts';
import { countdown, useNow } from './hooks.ts';

interface Answer {
  status: number;
  statusText: string;
  sub?: string;
  aud?: string[];
  scope?: string;
  dpopBound?: boolean;
  error?: string;
  facts?: TokenFacts;
}

export interface ApiCardProps {
  /** Prefix of the element ids: `call-<id>`, `<id>-result`. */
  id: string;
  api: { name: string; origin: string; path: string };
  /** The API has a token of its own (an `apiOrigins` object entry). */
  ownToken?: boolean;
}

export function ApiCard({ id, api, ownToken = false }: ApiCardProps): ReactNode {
  const { session } = useSession();
  const now = useNow();
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [failure, setFailure] = useState('');

  async function call(): Promise<void> {
    setBusy(true);
    setFailure('');
    try {
      const response = await session.fetch(`${api.origin}${api.path}`);
      const body = (await response.json().catch(() => ({}))) as Omit<Answer, 'status' | 'statusText' | 'facts'>;
      const token = await session.getAccessToken(ownToken ? { api: api.origin } : undefined).catch(() => undefined);
      setAnswer({ ...body, status: response.status, statusText: response.statusText, ...(token && { facts: tokenFacts(token) }) });
    } catch (error) {
      setAnswer(null);
      setFailure(isLatchkeyError(error) ? `${error.code}: ${error.message}` : String(error));
    } finally {
      setBusy(false);
    }
  }

  const ok = answer !== null && answer.status >= 200 && answer.status < 300;
  return (
    <article className="api" aria-labelledby={`${id}-title`}>
      <header className="api-head">
        <h3 id={`${id}-title`}>{api.name}</h3>
        <code className="api-origin">{new URL(api.origin).host}</code>
      </header>
      <p className="api-meta">
        {ownToken ? 'Its own token: audience this API, scope billing:read.' : "The session's main token."}
      </p>
      <button type="button" id={`call-${id}`} className="button" disabled={busy} onClick={() => void call()}>
        {busy ? 'Calling…' : `GET ${api.path}`}
      </button>
      <div className="api-result" id={`${id}-result`} aria-live="polite">
        {failure && <p className="bad">{failure}</p>}
        {answer && (
          <>
            <p className={ok ? 'good' : 'bad'}>
              <span className="status-code" id={`${id}-status`}>
                {answer.status} {answer.statusText}
              </span>
              {ok && answer.sub && <> — answered for <strong>{answer.sub}</strong></>}
              {answer.error && <> — {answer.error}</>}
            </p>
            {ok && (
              <dl className="facts">
                <dt>Audience</dt>
                <dd className="api-aud">{answer.aud?.join(' ') ?? '–'}</dd>
                <dt>Scope</dt>
                <dd className="api-scope">{answer.scope || '–'}</dd>
                <dt>Proof</dt>
                <dd>{answer.dpopBound ? 'DPoP-bound: useless without this browser’s key' : 'Bearer'}</dd>
                {answer.facts && (
                  <>
                    <dt>Token</dt>
                    <dd>
                      {answer.facts.format}, {answer.facts.length} characters
                      {answer.facts.expiresAt !== undefined && <>, expires in {countdown(answer.facts.expiresAt, now)}</>}
                    </dd>
                  </>
                )}
              </dl>
            )}
          </>
        )}
      </div>
    </article>
  );
}
