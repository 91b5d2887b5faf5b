// The loopback cluster of deploy/local/cluster.sh (Redis, two silos, api1/api2, nginx on :8080), driven the way
// a person would drive it: the script's own commands.

import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const script = resolve(dirname(fileURLToPath(import.meta.url)), '../../../deploy/local/cluster.sh');
const run = promisify(execFile);

export const nginxUrl = 'http://127.0.0.1:8080';

/** Runs `cluster.sh ...args`; the nodes it starts get `env` too. Fails with the script's output. */
export async function cluster(args, env = {}) {
  try {
    await run(script, args, { env: { ...process.env, ...env }, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    throw new Error(`cluster.sh ${args.join(' ')} failed: ${error.stderr || error.message}`);
  }
}
