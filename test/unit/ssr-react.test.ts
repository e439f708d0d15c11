// @vitest-environment node
// latchkey/react rendered on the server: plain Node, no DOM, the real createSession.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

/** Runs `script` with node + tsx; resolves with its output once it exits by itself, rejects if it must be killed. */
function run(script: string, limitMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '', TSX_TSCONFIG_PATH: resolve(root, 'test/tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A generous bound only to end a hung child; the assertion is that it exits by itself.
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the render process did not exit by itself; stdout=${stdout} stderr=${stderr}`));
    }, limitMs);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

describe('server-side rendering', () => {
  it('renders the loading state with renderToString in plain Node, does not throw, and the process exits', async () => {
    const { code, stdout, stderr } = await run(resolve(here, 'ssr-render.tsx'), 30_000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { html: string; signedIn: string; hasWindow: boolean };
    expect(result.hasWindow).toBe(false);
    expect(result.html).toBe('<p id="status">loading</p><p id="fallback">loading</p>');
    expect(result.signedIn).toBe(result.html);
  }, 40_000);
});
