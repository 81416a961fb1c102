import { existsSync } from 'node:fs';
import { freePort, spawnLocalServer } from './free-port';

export interface PubsubEmulatorOptions {
  /** Defaults to a free loopback port. */
  port?: number;
  /** Keep running after this process exits (dev orchestrator); stop it later by killing -pid. */
  detached?: boolean;
  /** Where the emulator's output goes (appended). */
  logFile?: string;
}

export interface PubsubEmulatorHandle {
  /** host:port, the value for PUBSUB_EMULATOR_HOST (or the client's apiEndpoint). */
  host: string;
  /** Leader of the emulator's process group. */
  pid: number;
  stop: () => Promise<void>;
}

// The SDK's own launcher script execs java directly: about a second faster than going through
// `gcloud beta emulators pubsub start`, which adds a Python process in front of the same JVM.
const DIRECT_LAUNCHER =
  '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator';

/** Starts the Google Pub/Sub emulator (in-memory) on 127.0.0.1 and waits until it accepts connections. */
export async function startPubsubEmulator(
  options: PubsubEmulatorOptions = {},
): Promise<PubsubEmulatorHandle> {
  const port = options.port ?? (await freePort());
  const [command, args] = existsSync(DIRECT_LAUNCHER)
    ? [DIRECT_LAUNCHER, [`--host=127.0.0.1`, `--port=${port}`]]
    : [
        'gcloud',
        ['beta', 'emulators', 'pubsub', 'start', `--host-port=127.0.0.1:${port}`, '--quiet'],
      ];
  const server = await spawnLocalServer({
    name: 'Pub/Sub emulator',
    command,
    args,
    port,
    detached: options.detached,
    logFile: options.logFile,
    timeoutMs: 60_000,
  });
  return { host: `127.0.0.1:${port}`, pid: server.pid, stop: server.stop };
}

/**
 * Options for `new PubSub(...)` against the emulator. Even in emulator mode the client asks
 * google-auth for the universe domain, which probes the GCE metadata server (169.254.169.254)
 * unless one is given; setting it keeps every connection on loopback. (Clients configured through
 * PUBSUB_EMULATOR_HOST alone need METADATA_SERVER_DETECTION=none for the same reason.)
 */
export function pubsubEmulatorClientOptions(host: string, projectId = 'flotilla-local') {
  return {
    projectId,
    apiEndpoint: host,
    emulatorMode: true,
    universeDomain: 'googleapis.com',
  } as const;
}
