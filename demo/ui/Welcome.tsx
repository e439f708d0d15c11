/** Signed out: what latchkey is, and two ways to log in (redirect, popup). */
import { useState, type ReactNode } from 'react';
import { isLatchkeyError, loginWithPopup } from 'latchkey';
import { useSession } from 'latchkey/react';

export function Welcome(): ReactNode {
  const { session } = useSession();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  return (
    <section className="hero">
      <h1>Sign-in for single-page apps, done safely.</h1>
      <p className="lead">
        latchkey keeps an OAuth 2.0 / OpenID Connect session in the browser: PKCE, PAR and DPoP on the way in, tokens
        sealed in IndexedDB under keys no script can export, refreshed before they expire — once for all your tabs.
      </p>
      <div className="actions">
        <button
          type="button"
          id="login"
          className="button"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            session.login().catch(() => setBusy(false));
          }}
        >
          Log in
        </button>
        <button
          type="button"
          id="login-popup"
          className="button button-secondary"
          disabled={busy}
          onClick={() => {
            // Straight from the click: the popup opens inside the gesture.
            setNote('');
            setBusy(true);
            loginWithPopup(session)
              .catch((error: unknown) => {
                setNote(isLatchkeyError(error) && error.code === 'popup_closed' ? 'The popup was closed before you logged in.' : `The popup login failed: ${isLatchkeyError(error) ? error.code : String(error)}`);
              })
              .finally(() => setBusy(false));
          }}
        >
          Log in with a popup
        </button>
      </div>
      {note && <p className="note" id="login-note">{note}</p>}
      <p className="hint">The embedded server accepts any user name and any password.</p>
      <ul className="promises">
        <li><strong>Who you are</strong> Your name, from the validated ID token.</li>
        <li><strong>A live token clock</strong> And a log of every refresh and tab sync.</li>
        <li><strong>Two APIs, two tokens</strong> Each API accepts only its own audience.</li>
        <li><strong>A storage thief's view</strong> Ciphertext, and keys that cannot be exported.</li>
      </ul>
      <p className="hint">
        Or open <a href="/account">/account</a>: it sits behind <code>&lt;RequireAuth&gt;</code>, which sends you to log
        in and brings you back.
      </p>
    </section>
  );
}
