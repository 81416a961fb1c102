// Ports and local server processes: the small pieces every infra launcher needs.
import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago. The OS picks it (port 0), so it is outside
 * the ranges services like to squat on; another process can still take it before the caller binds,
 * which is why launchers fail loudly (rather than hang) when their child cannot listen.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('freePort: the server reported no port'));
      });
    });
  });
}

/** Whether something accepts TCP connections on host:port right now. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => {
      done(false);
    });
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}

export interface WaitForPortOptions {
  host?: string;
  timeoutMs?: number;
  /** What is starting, for the timeout message. */
  name?: string;
  /** Checked between attempts: lets a launcher give up as soon as its child has died. */
  abortIf?: () => Error | undefined;
}

/** Polls until host:port accepts connections; rejects after timeoutMs (default 60 s). */
export async function waitForPort(port: number, options: WaitForPortOptions = {}): Promise<void> {
  const { host = '127.0.0.1', timeoutMs = 60_000, name = 'server' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const aborted = options.abortIf?.();
    if (aborted) throw aborted;
    if (await isPortOpen(port, host)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${name} did not accept connections on ${host}:${port} within ${timeoutMs} ms`,
      );
    }
    await sleep(100);
  }
}

function isAlive(pid: number, group: boolean): boolean {
  try {
    process.kill(group ? -pid : pid, 0);
    return true;
  } catch (error) {
    // EPERM means it exists but belongs to someone else: still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops a process started with `detached: true` (so it leads its own process group) together with
 * everything it spawned: SIGTERM to the group, then SIGKILL if it lingers past graceMs. A launcher
 * script that forks (gcloud → java) would otherwise leave its children running.
 */
export async function stopProcessGroup(pid: number, graceMs = 5000): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid, true)) {
    if (Date.now() > deadline) {
      signal('SIGKILL');
      await sleep(100);
      return;
    }
    await sleep(50);
  }
}

export interface LocalServerOptions {
  /** What is starting, for error messages. */
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** The port the server will listen on (127.0.0.1); ready means it accepts connections. */
  port: number;
  /** Survive this process (dev orchestrator) instead of being stopped when it exits (tests). */
  detached?: boolean;
  /** Where stdout and stderr go (appended); without it the output is only kept for error messages. */
  logFile?: string;
  timeoutMs?: number;
}

export interface LocalServer {
  pid: number;
  /** A plain function (not a method), so it can be passed around detached from the object. */
  stop: () => Promise<void>;
}

const OUTPUT_TAIL_CHARS = 4000;

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-OUTPUT_TAIL_CHARS);
  } catch {
    return '';
  }
}

/**
 * Spawns a server in its own process group and resolves once its port accepts connections; fails
 * fast with the server's last output if it exits first or never listens.
 */
export async function spawnLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const { name, port, detached = false, logFile, timeoutMs = 60_000 } = options;
  // Readiness is "the port answers", so a port someone else already serves would look ready.
  if (await isPortOpen(port)) throw new Error(`${name}: 127.0.0.1:${port} is already in use`);
  const logFd = logFile === undefined ? undefined : openSync(logFile, 'a');
  const stdio: StdioOptions =
    logFd !== undefined
      ? ['ignore', logFd, logFd]
      : detached
        ? 'ignore'
        : ['ignore', 'pipe', 'pipe'];
  // Always a group leader, so stop() reaches grandchildren (a launcher script's JVM).
  const child = spawn(options.command, [...options.args], {
    env: options.env ?? process.env,
    stdio,
    detached: true,
  });
  if (logFd !== undefined) closeSync(logFd);

  let output = '';
  const capture = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  let failure: Error | undefined;
  child.once('error', (error) => {
    failure = new Error(`${name}: cannot start ${options.command}: ${error.message}`);
  });
  child.once('exit', (code, signal) => {
    const tail = logFile === undefined ? output : readTail(logFile);
    failure ??= new Error(
      `${name} exited (${signal ?? `code ${String(code)}`}) before it was ready:\n${tail}`,
    );
  });

  const pid = child.pid;
  if (pid === undefined) {
    await sleep(0); // let the 'error' event land
    throw failure ?? new Error(`${name}: cannot start ${options.command}`);
  }

  // Attached servers die with this process even when nobody calls stop().
  const killOnExit = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  if (detached) child.unref();
  else process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await stopProcessGroup(pid);
  };

  try {
    await waitForPort(port, { name, timeoutMs, abortIf: () => failure });
  } catch (error) {
    await stop();
    if (error === failure || !(error instanceof Error)) throw error;
    const tail = logFile === undefined ? output : readTail(logFile);
    throw new Error(`${error.message}; last output:\n${tail}`);
  }
  return { pid, stop };
}
