import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

/** A server process the bench started, listening on 127.0.0.1. */
export interface ChildServer {
  readonly pid: number;
  readonly origin: string;
  /** Where it serves Prometheus text, if it does (`metricsPath`). */
  readonly metricsUrl?: string;
  /** The last lines it printed, for the report when a scenario fails. */
  recentOutput(): readonly string[];
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  stop(): Promise<void>;
}

export interface ChildServerOptions {
  readonly name: string;
  /** Node arguments: loader flags and the script. */
  readonly args: readonly string[];
  readonly cwd: string;
  /** Environment added to the bench's own (which the caller has already filtered). */
  readonly env: NodeJS.ProcessEnv;
  /** A GET path that answers 200 once the server can take traffic. */
  readonly readyPath: string;
  /** A GET path that serves the server's Prometheus metrics, if it has one. */
  readonly metricsPath?: string;
  readonly readyTimeoutMs?: number;
}

const KEPT_LINES = 40;

/** Starts `node <args>` with PORT set to a free port and resolves once `readyPath` answers 200. */
export async function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [...options.args], {
    cwd: options.cwd,
    env: { ...options.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
    });
  }
  const exited = once(child, 'exit');
  const running = (): boolean => child.exitCode === null && child.signalCode === null;

  const origin = `http://127.0.0.1:${String(port)}`;
  const stop = async (): Promise<void> => {
    if (!running()) return;
    child.kill('SIGTERM');
    const killed = sleep(10_000).then(() => child.kill('SIGKILL'));
    await Promise.race([exited, killed]);
    await exited;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (!running() || child.pid === undefined) {
      throw new Error(`${options.name} exited before it was ready:\n${lines.join('\n')}`);
    }
    // Refused connections are the expected answer until the server listens: they mean "not yet".
    const ready = await fetch(`${origin}${options.readyPath}`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) {
      return {
        pid: child.pid,
        origin,
        ...(options.metricsPath !== undefined && { metricsUrl: `${origin}${options.metricsPath}` }),
        recentOutput: () => [...lines],
        stop,
      };
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`${options.name} was not ready within the timeout:\n${lines.join('\n')}`);
}
