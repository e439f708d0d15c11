/** The brand, the session status, and the signed-in user with a Log out button. */
import { useState, type ReactNode } from 'react';
import { useSession } from 'latchkey/react';
import type { DemoUser } from '../session.ts';

/** The name to greet the user by: `name`, else `preferred_username`, else `sub`. */
export function displayName(user: DemoUser): string {
  return user.name || user.preferred_username || user.sub;
}

export function TopBar(): ReactNode {
  const { status, user, session } = useSession<DemoUser>();
  const [leaving, setLeaving] = useState(false);
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">latchkey</span>
        <span className="brand-tag">demo</span>
      </div>
      <div className="topbar-right">
        <span className={`pill pill-${status}`} id="status">{status}</span>
        {status === 'authenticated' && user && (
          <>
            <span className="user-chip">
              <span className="avatar" aria-hidden="true">{displayName(user).slice(0, 1).toUpperCase()}</span>
              <span className="user-text">
                <span className="user-name">{displayName(user)}</span>
                {user.email && <span className="user-email">{user.email}</span>}
              </span>
            </span>
            <button
              type="button"
              id="logout"
              className="button button-quiet"
              disabled={leaving}
              onClick={() => {
                setLeaving(true);
                session.logout().catch(() => setLeaving(false));
              }}
            >
              Log out
            </button>
          </>
        )}
      </div>
    </header>
  );
}
