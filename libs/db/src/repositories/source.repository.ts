import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma.service';
import type { Source } from '../records';

@Injectable()
export class SourceRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Active broker sources of one broker (`pub_sub.type` is `google` or `sqs`), for the ingesters. */
  listActiveBrokerSources(broker: 'google' | 'sqs'): Promise<Source[]> {
    return this.prisma.source.findMany({
      where: { type: 'pub_sub', status: 'active', deletedAt: null, pubSub: { path: ['type'], equals: broker } },
      orderBy: { id: 'asc' },
    });
  }
}
