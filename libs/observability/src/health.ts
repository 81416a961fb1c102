import { Controller, Get, HttpStatus, Injectable, Res } from '@nestjs/common';
import type { Response } from 'express';

export type ReadinessCheck = () => Promise<void>;

/** Dependencies (database, Kafka) register a readiness check; `/health` runs them all. */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private draining = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Once shutdown starts the service reports not ready, so load balancers stop sending work. */
  markDraining(): void {
    this.draining = true;
  }

  async run(timeoutMs = 2000): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await withTimeout(check(), timeoutMs);
          return [name, 'up'] as const;
        } catch (error) {
          return [name, `down: ${error instanceof Error ? error.message : String(error)}`] as const;
        }
      }),
    );
    const checks: Record<string, string> = Object.fromEntries(entries);
    if (this.draining) checks['shutdown'] = 'draining';
    return { ready: !this.draining && entries.every(([, state]) => state === 'up'), checks };
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`timed out after ${ms} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /** Live and ready together: 200 when every dependency answers, 503 otherwise. */
  @Get()
  async combined(@Res() res: Response): Promise<void> {
    const report = await this.registry.run();
    res
      .status(report.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .json({ status: report.ready ? 'ok' : 'unavailable', live: true, ...report });
  }

  /** The process is up and its event loop turns; restart only if this fails. */
  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() res: Response): Promise<void> {
    await this.combined(res);
  }
}
