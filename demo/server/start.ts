/**
 * `npm run demo`: starts the embedded servers and the demo app on 127.0.0.1,
 * prints where to go, and stops everything on Ctrl-C (SIGINT) or SIGTERM.
 * The app port comes from $PORT, else 5173 when free, else any free port.
 * $PROFILE picks a server profile (demo/server/profiles.ts), e.g.
 * `PROFILE=no-refresh-token npm run demo`. $ACCESS_TOKEN_TTL sets the access
 * token lifetime in seconds (default 60, so a refresh shows within a minute).
 */
import { DEMO_ACCESS_TOKEN_TTL, startDemo } from './demo-stack.ts';
import { isPortFree } from './net.ts';
import { PROFILES, type ProfileName } from './profiles.ts';

async function pickPort(): Promise<number | undefined> {
  if (process.env.PORT) {
    const port = Number(process.env.PORT);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PORT=${process.env.PORT} is not a port`);
    return port;
  }
  return (await isPortFree(5173)) ? 5173 : undefined;
}

const profile = (process.env.PROFILE ?? 'default') as ProfileName;
if (!(profile in PROFILES)) throw new Error(`PROFILE=${profile} is not one of: ${Object.keys(PROFILES).join(', ')}`);
const ttl = Number(process.env.ACCESS_TOKEN_TTL ?? DEMO_ACCESS_TOKEN_TTL);
if (!Number.isInteger(ttl) || ttl < 10) throw new Error(`ACCESS_TOKEN_TTL=${process.env.ACCESS_TOKEN_TTL} is not a whole number of seconds ≥ 10`);
const stack = await startDemo({ appPort: await pickPort(), hmr: true, profile, accessTokenTtl: ttl });

console.log(`
  latchkey demo is running.

    Open:      ${stack.appUrl}
    Log in:    with ANY user name and password (the embedded server accepts all).

    Issuer:    ${stack.server.issuer}  (profile: ${profile}; access tokens live ${ttl} s)
    API:       ${stack.server.apiOrigin}/api/…      (audience ${stack.server.apiResource})
    Billing:   ${stack.server.billingOrigin}/api/…      (audience ${stack.server.billingResource}, scope ${stack.server.billingScope})

  Press Ctrl-C to stop.
`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) process.exit(1); // a second Ctrl-C does not wait
  stopping = true;
  console.log(`\n  ${signal}: stopping the demo…`);
  await stack.close();
  process.exit(0);
}

process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
