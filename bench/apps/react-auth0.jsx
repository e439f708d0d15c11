// @auth0/auth0-react on @auth0/auth0-spa-js: Auth0Provider, useAuth0, withAuthenticationRequired.
import { Auth0Provider, useAuth0, withAuthenticationRequired } from '@auth0/auth0-react';
import { apiUrl, config, mount, redirectUri, Secret, Shell } from './react-shared.jsx';
import { scope } from './shared.js';

const Guarded = withAuthenticationRequired(Secret);

function App() {
  const auth = useAuth0();
  const status = auth.isLoading ? 'loading' : auth.isAuthenticated ? 'authenticated' : 'unauthenticated';
  return <Shell status={status} user={auth.user ?? null} error={auth.error ?? null}
    login={() => auth.loginWithRedirect()} logout={() => auth.logout({ logoutParams: { returnTo: redirectUri } })}
    callApi={async () => (await fetch(apiUrl, { headers: { authorization: `Bearer ${await auth.getAccessTokenSilently()}` } })).json()}
    Guarded={Guarded} />;
}

mount(
  <Auth0Provider domain={new URL(config.issuer).host} clientId={config.clientId} cacheLocation="memory" useRefreshTokens
    authorizationParams={{ redirect_uri: redirectUri, scope, audience: config.apiResource }}>
    <App />
  </Auth0Provider>,
);
