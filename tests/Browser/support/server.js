// The real OrleansChat API (embedded mode: a co-hosted silo, in-memory history) as a child process on free
// loopback ports, the way a user runs it, so the browser talks to real Kestrel, SSE and Orleans.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './eventually.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const apiProject = resolve(repo, 'src/Api');
const apiDll = resolve(apiProject, 'bin/Release/net10.0/OrleansChat.Api.dll');
const startTimeoutMs = 90_000;
const stopTimeoutMs = 15_000;

/** A loopback port nobody listens on right now (the OS picks it). */
export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

export class EmbeddedServer {
  #args;
  #process = null;
  #output = [];

  /** `settings` are extra configuration keys, e.g. { 'Chat:RateLimit:PostsPerSecond': 0 }. */
  static async start(settings = {}) {
    const [httpPort, siloPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
    const server = new EmbeddedServer(httpPort, [
      // wwwroot is found through the content root; the build output has none of its own.
      `--contentRoot=${apiProject}`,
      `--urls=http://127.0.0.1:${httpPort}`,
      `--Orleans:ClusterId=browser-${process.pid}-${httpPort}`,
      `--Orleans:SiloPort=${siloPort}`,
      `--Orleans:PrimarySiloPort=${siloPort}`,
      `--Orleans:GatewayPort=${gatewayPort}`,
      ...Object.entries(settings).map(([key, value]) => `--${key}=${value}`),
    ]);
    await server.#launch();
    return server;
  }

  constructor(httpPort, args) {
    this.baseUrl = `http://127.0.0.1:${httpPort}`;
    this.#args = args;
  }

  /** The process's recent output, for failure messages. */
  get output() {
    return this.#output.join('').slice(-4000);
  }

  /** Dies at once, as in a crash: no graceful shutdown, open streams just break. */
  async kill() {
    await this.#signal('SIGKILL', stopTimeoutMs);
  }

  /** Starts again on the same ports, after kill(). */
  async restart() {
    await this.#launch();
  }

  async stop() {
    if (!await this.#signal('SIGTERM', stopTimeoutMs)) {
      await this.#signal('SIGKILL', stopTimeoutMs);
    }
  }

  async #launch() {
    if (!existsSync(apiDll)) {
      throw new Error(`${apiDll} is missing: build first (dotnet build -c Release).`);
    }

    const child = spawn('dotnet', [apiDll, ...this.#args], {
      cwd: apiProject,
      env: { ...process.env, DOTNET_NOLOGO: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#process = child;
    const keep = (chunk) => {
      this.#output.push(chunk.toString());
      if (this.#output.length > 200) {
        this.#output.splice(0, 100);
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);

    try {
      await eventually(async () => {
        if (child.exitCode !== null) {
          throw new Error(`the server exited with ${child.exitCode}`);
        }

        return await this.#isUp('/healthz') && await this.#isUp('/readyz');
      }, { timeoutMs: startTimeoutMs, what: `the server at ${this.baseUrl} to be ready` });
    } catch (error) {
      await this.kill();
      error.message += `\n--- server output ---\n${this.output}`;
      throw error;
    }
  }

  async #isUp(path) {
    try {
      const response = await fetch(this.baseUrl + path, { signal: AbortSignal.timeout(5000) });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** Sends `signal` and waits for the exit; false if it is still running at the deadline. */
  async #signal(signal, timeoutMs) {
    const child = this.#process;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return true;
    }

    const exited = once(child, 'exit').then(() => true);
    child.kill(signal);
    let timer;
    const deadline = new Promise((done) => {
      timer = setTimeout(done, timeoutMs, false);
    });
    try {
      return await Promise.race([exited, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
