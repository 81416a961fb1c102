import { freePort, spawnLocalServer } from './free-port';

export interface SqsEmulatorOptions {
  /** Defaults to a free loopback port. */
  port?: number;
  /** Keep running after this process exits (dev orchestrator); stop it later by killing -pid. */
  detached?: boolean;
  /** Where the emulator's output goes (appended). */
  logFile?: string;
}

export interface SqsEmulatorHandle {
  /** http://127.0.0.1:PORT, the `endpoint` for SQSClient (or AWS_ENDPOINT_URL_SQS). */
  endpoint: string;
  pid: number;
  stop: () => Promise<void>;
}

// local-aws-sqs is a library without a CLI, so a child node process hosts it. It runs out of
// process, like the other emulators, so the dev orchestrator can leave it running detached.
// - hostname: binds loopback only (its default listens on every interface) and is the host in the
//   queue URLs it hands out.
// - emulateQueueCreationLifecycle off: AWS makes you wait 60 s before re-creating a deleted queue
//   name, which only slows tests down.
// - 'error' is handled because createSqsServer never rejects: on EADDRINUSE it would hang.
const HOST_SCRIPT = `
const { createSqsServer } = require(process.env.FLOTILLA_LOCAL_SQS_MODULE);
const port = Number(process.env.FLOTILLA_LOCAL_SQS_PORT);
createSqsServer({ port, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false }).then((server) => {
  server.on('error', (error) => { console.error(error); process.exit(1); });
  console.log('local-aws-sqs listening on http://127.0.0.1:' + port);
});
process.on('uncaughtException', (error) => { console.error(error); process.exit(1); });
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
`;

/** Starts an in-memory SQS (JSON and Query protocols) on 127.0.0.1 and waits until it accepts connections. */
export async function startSqsEmulator(
  options: SqsEmulatorOptions = {},
): Promise<SqsEmulatorHandle> {
  const port = options.port ?? (await freePort());
  const server = await spawnLocalServer({
    name: 'SQS emulator (local-aws-sqs)',
    command: process.execPath,
    args: ['-e', HOST_SCRIPT],
    env: {
      ...process.env,
      FLOTILLA_LOCAL_SQS_MODULE: require.resolve('local-aws-sqs'),
      FLOTILLA_LOCAL_SQS_PORT: String(port),
    },
    port,
    detached: options.detached,
    logFile: options.logFile,
    timeoutMs: 30_000,
  });
  return { endpoint: `http://127.0.0.1:${port}`, pid: server.pid, stop: server.stop };
}
