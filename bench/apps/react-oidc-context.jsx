// react-oidc-context on oidc-client-ts: AuthProvider, useAuth, withAuthenticationRequired.
import { AuthProvider, useAuth, withAuthenticationRequired } from 'react-oidc-context';
import { apiUrl, config, mount, redirectUri, Secret, Shell } from './react-shared.jsx';
import { scope } from './shared.js';

const Guarded = withAuthenticationRequired(Secret);

function App() {
  const auth = useAuth();
  const status = auth.isLoading ? 'loading' : auth.isAuthenticated ? 'authenticated' : 'unauthenticated';
  return <Shell status={status} user={auth.user?.profile ?? null} error={auth.error ?? null}
    login={() => auth.signinRedirect()} logout={() => auth.signoutRedirect()}
    callApi={async () => (await fetch(apiUrl, { headers: { authorization: `Bearer ${auth.user?.access_token}` } })).json()}
    Guarded={Guarded} />;
}

mount(
  <AuthProvider authority={config.issuer} client_id={config.clientId} redirect_uri={redirectUri} post_logout_redirect_uri={redirectUri}
    scope={scope} onSigninCallback={() => history.replaceState(null, '', location.pathname)}>
    <App />
  </AuthProvider>,
);
