import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaInstrumentation } from '@prisma/instrumentation';
import { tracingEnabled } from '@flotilla/observability';
import { PrismaClient } from './generated/prisma/client';

export interface DatabaseOptions {
  url: string;
  poolSize: number;
}

/** The one Prisma client of a process, over node-postgres (Prisma 7 driver adapter, no engine binary). */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  private static instrumented = false;

  constructor(options: DatabaseOptions) {
    // Tracing on: every query becomes a span in the trace of the request or message it serves.
    if (tracingEnabled() && !PrismaService.instrumented) {
      PrismaService.instrumented = true;
      new PrismaInstrumentation().enable();
    }
    super({
      adapter: new PrismaPg({
        connectionString: options.url,
        max: options.poolSize,
        connectionTimeoutMillis: 5000,
      }),
    });
  }

  async ping(): Promise<void> {
    await this.$queryRaw`SELECT 1`;
  }

  // Last of the shutdown hooks, after consumers drained and HTTP closed.
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
