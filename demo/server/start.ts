/**
 * `npm run demo`: starts the embedded servers and the demo app on 127.0.0.1,
 * prints where to go, and stops everything on Ctrl-C (SIGINT) or SIGTERM.
 * The app port comes from $PORT, else 5173 when free, else any free port.
 * $PROFILE picks a server profile (demo/server/profiles.ts), e.g.
 * `PROFILE=no-refresh-token npm run demo`.
 */
import { isPortFree } from './net.ts';
import { PROFILES, type ProfileName } from './profiles.ts';
import { startStack } from './stack.ts';

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
const stack = await startStack({ appRoot: 'demo', appPort: await pickPort(), hmr: true, profile });

console.log(`
  latchkey demo is running.

    Open:      ${stack.appUrl}
    Log in:    with ANY user name and password (the embedded server accepts all).

    Issuer:    ${stack.server.issuer}  (profile: ${profile})
    API:       ${stack.server.apiOrigin}/api/me

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
