import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaInstrumentation } from '@prisma/instrumentation';
import { Pool } from 'pg';
import { tracingEnabled } from '@flotilla/observability';
import { PrismaClient } from './generated/prisma/client';

export interface DatabaseOptions {
  url: string;
  poolSize: number;
}

/**
 * The one Prisma client of a process, over node-postgres (Prisma 7 driver adapter, no engine binary).
 * Its pool is shared with the hot path's set-based statements (`pool`), which skip Prisma's query
 * layer: about 15 % of the dispatcher's CPU went there (ADR 0004). Those are consumer batch queries,
which run outside any trace, so they were never spans anyway.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  private static instrumented = false;
  readonly pool: Pool;

  constructor(options: DatabaseOptions) {
    // Tracing on: every query becomes a span in the trace of the request or message it serves.
    if (tracingEnabled() && !PrismaService.instrumented) {
      PrismaService.instrumented = true;
      new PrismaInstrumentation().enable();
    }
    const pool = new Pool({
      connectionString: options.url,
      max: options.poolSize,
      connectionTimeoutMillis: 5000,
    });
    // An idle connection the server closed (restart, terminate) only leaves the pool, which opens
    // another on demand; the next query on a dead server fails and is handled where it was made.
    pool.on('error', () => undefined);
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
  }

  async ping(): Promise<void> {
    await this.$queryRaw`SELECT 1`;
  }

  // Last of the shutdown hooks, after consumers drained and HTTP closed.
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    // The adapter does not end a pool it was given.
    if (!this.pool.ended) await this.pool.end();
  }
}
