import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { serviceEntry, type ServiceName } from '../infra/workspace';
import { freePort } from '../infra/free-port';

/** One built service running as a child process, as it runs in production (node + env). */
export class ServiceProcess {
  readonly output: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;

  private constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async start(
    name: ServiceName,
    env: Record<string, string>,
    port?: number,
  ): Promise<ServiceProcess> {
    const service = new ServiceProcess(name, port ?? (await freePort()), env);
    await service.startProcess();
    return service;
  }

  async startProcess(): Promise<void> {
    const entry = serviceEntry(this.name);
    if (!existsSync(entry))
      throw new Error(`${entry} is missing: build first (npx nx run-many -t build)`);
    // e.g. FLOTILLA_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile a service under load
    const nodeArgs = (this.env['FLOTILLA_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '');
    const child = spawn(process.execPath, [...nodeArgs, entry], {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        ...this.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 500) this.output.splice(0, 100);
      if (process.env['FLOTILLA_TEST_SERVICE_LOGS'])
        process.stderr.write(`[${this.name}] ${chunk.toString('utf8')}`);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
      });
    });
    try {
      await this.waitUntilReady(45_000);
    } catch (error) {
      // Nobody holds a handle to a service that never became ready: stop it here, or it outlives
      // the test run (and keeps loading the machine).
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** Polls /health until it answers 200 (database and Kafka reachable). */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) {
        throw new Error(
          `${this.name} exited with ${this.child.exitCode}:\n${this.output.join('').slice(-4000)}`,
        );
      }
      try {
        const response = await fetch(`${this.url}/health`);
        last = await response.text();
        if (response.status === 200) return;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `${this.name} not ready after ${timeoutMs} ms: ${last}\n${this.output.join('').slice(-4000)}`,
    );
  }

  /** Sends the signal and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code ?? null;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  async metrics(): Promise<string> {
    const response = await fetch(`${this.url}/metrics`);
    return response.text();
  }
}

/** Sum of a Prometheus counter's samples (all label sets) in a scrape. */
export function metricValue(
  scrape: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  let total = 0;
  for (const line of scrape.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+([^\s]+)/.exec(line);
    if (match?.[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`)))
      total += Number(match[3]);
  }
  return total;
}
