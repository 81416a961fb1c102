import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { ALL_TOPICS } from '@flotilla/contracts';
import { buildKafkaMock } from './workspace';

export interface KafkaMockOptions {
  /** Broker count (ids 1..N); replication factor is min(3, brokers). Default 1. */
  brokers?: number;
  /** Topics to pre-create: the mock cannot create topics through the admin API. Default ALL_TOPICS. */
  topics?: readonly { name: string; partitions: number }[];
}

export interface KafkaMockHandle {
  /** Comma-separated host:port list. */
  bootstrap: string;
  brokers: string[];
  pid: number;
  /** Drops the broker's connections and refuses new ones (leadership does not move). */
  brokerDown: (id: number) => Promise<void>;
  brokerUp: (id: number) => Promise<void>;
  /** The next `count` requests with this API key (e.g. 0 = Produce) fail with errorCode. */
  pushRequestErrors: (apiKey: number, errorCode: number, count: number) => Promise<void>;
  stop: () => Promise<void>;
}

/** Kafka's SyncGroup request, and INVALID_REQUEST: an answer kafkajs does not retry. */
export const SYNC_GROUP_API_KEY = 14;
export const INVALID_REQUEST = 42;

const START_TIMEOUT_MS = 20_000;
const COMMAND_TIMEOUT_MS = 10_000;
const STDERR_TAIL_CHARS = 4000;

function mockArgs(options: KafkaMockOptions): string[] {
  const topics = options.topics ?? ALL_TOPICS;
  return [
    '--brokers',
    String(options.brokers ?? 1),
    ...topics.flatMap((topic) => ['--topic', `${topic.name}:${topic.partitions}`]),
  ];
}

/**
 * Starts an in-memory Kafka cluster for a test. The mock exits when this process does (its stdin
 * closes), so a crashed test run leaves nothing behind.
 */
export async function startKafkaMock(options: KafkaMockOptions = {}): Promise<KafkaMockHandle> {
  const bin = await buildKafkaMock();
  const child = spawn(bin, [...mockArgs(options), '--exit-on-eof'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const { stdin, stdout, stderr } = child;
  const pid = child.pid;

  let stderrTail = '';
  stderr.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
  });
  // A write after the mock died must surface as a failed command, not an unhandled 'error' event.
  stdin.on('error', () => undefined);

  // Every stdout line after BOOTSTRAP answers the oldest pending command (the mock handles them in order).
  const pending: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  let exited: Error | undefined;
  let onBootstrap: ((line: string) => void) | undefined;
  // Settles when the mock is gone, whether it exited or could not be spawned at all.
  const ended = new Promise<void>((resolve) => {
    const end = (error: Error): void => {
      exited ??= error;
      for (const waiter of pending.splice(0)) waiter.reject(exited);
      resolve();
    };
    child.once('exit', (code, signal) => {
      end(
        new Error(
          `Kafka mock exited (${signal ?? `code ${String(code)}`})${stderrTail ? `:\n${stderrTail}` : ''}`,
        ),
      );
    });
    child.once('error', (error) => {
      end(new Error(`Cannot start the Kafka mock (${bin}): ${error.message}`));
    });
  });
  createInterface({ input: stdout }).on('line', (line) => {
    if (onBootstrap) onBootstrap(line);
    else pending.shift()?.resolve(line);
  });

  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `Kafka mock printed no BOOTSTRAP line within ${START_TIMEOUT_MS} ms\n${stderrTail}`,
        ),
      );
    }, START_TIMEOUT_MS);
    onBootstrap = (line) => {
      const match = /^BOOTSTRAP (\S+)$/.exec(line);
      if (!match?.[1]) return;
      onBootstrap = undefined;
      clearTimeout(timer);
      resolve(match[1]);
    };
    void ended.then(() => {
      clearTimeout(timer);
      reject(exited ?? new Error('Kafka mock exited'));
    });
  });
  if (pid === undefined) throw new Error('Kafka mock has no pid');

  const command = async (line: string): Promise<void> => {
    if (exited) throw exited;
    const answer = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`Kafka mock did not answer "${line}" within ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      pending.push({
        resolve: (answerLine) => {
          clearTimeout(timer);
          resolve(answerLine);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      stdin.write(`${line}\n`);
    });
    if (answer !== 'OK')
      throw new Error(`Kafka mock refused "${line}": ${answer.replace(/^ERR /, '')}`);
  };

  return {
    bootstrap,
    brokers: bootstrap.split(','),
    pid,
    brokerDown: (id) => command(`down ${id}`),
    brokerUp: (id) => command(`up ${id}`),
    pushRequestErrors: (apiKey, errorCode, count) =>
      command(`errors ${apiKey} ${errorCode} ${count}`),
    stop: async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await ended;
      clearTimeout(killTimer);
    },
  };
}

/**
 * Starts the mock for the dev orchestrator: detached, in its own process group, stdin from
 * /dev/null and output appended to logFile, so it outlives the caller. Stop it with SIGTERM to pid.
 */
export async function startKafkaMockDetached(
  readyFile: string,
  logFile: string,
  options: KafkaMockOptions = {},
): Promise<{ bootstrap: string; pid: number }> {
  const bin = await buildKafkaMock();
  rmSync(readyFile, { force: true }); // a stale file from an earlier run would look ready
  const logFd = openSync(logFile, 'a');
  const child = spawn(bin, [...mockArgs(options), '--ready-file', readyFile], {
    stdio: ['ignore', logFd, logFd],
    detached: true,
  });
  closeSync(logFd);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = signal ?? `code ${String(code)}`;
  });
  child.once('error', (error) => {
    exited = error.message;
  });
  child.unref();

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    // The mock writes the file atomically (tmp + rename), so existing means complete.
    if (existsSync(readyFile)) break;
    const tail = (): string => readFileSync(logFile, 'utf8').slice(-STDERR_TAIL_CHARS);
    if (exited !== undefined)
      throw new Error(`Kafka mock exited (${exited}) before it was ready:\n${tail()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Kafka mock wrote no ${readyFile} within ${START_TIMEOUT_MS} ms:\n${tail()}`);
    }
    await sleep(50);
  }
  if (child.pid === undefined) throw new Error('Kafka mock has no pid');
  return { bootstrap: readFileSync(readyFile, 'utf8').trim(), pid: child.pid };
}
