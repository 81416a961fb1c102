import { Injectable } from '@nestjs/common';
import { UUID_PATTERN, type IngestFailureListQuery } from '@flotilla/contracts';
import { IngestFailureRepository, type IngestFailure, type PageResult } from '@flotilla/db';
import { toCursor } from './event-log.service';
import { ManagementError } from './management-error';

/** Broker messages that could not become events, with why: what a user fixes their producer by. */
@Injectable()
export class IngestFailuresService {
  constructor(private readonly failures: IngestFailureRepository) {}

  list(projectId: string, query: IngestFailureListQuery): Promise<PageResult<IngestFailure>> {
    if (query.sourceId !== undefined && !UUID_PATTERN.test(query.sourceId)) {
      throw new ManagementError(
        'validation',
        `sourceId: ${query.sourceId} is not a valid id`,
        'sourceId',
      );
    }
    return this.failures.page(
      projectId,
      { sourceId: query.sourceId, reason: query.reason },
      toCursor(query),
    );
  }
}
