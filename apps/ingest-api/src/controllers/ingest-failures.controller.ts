import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import {
  ingestFailureListQuerySchema,
  type IngestFailureListQuery,
  type IngestFailureResponse,
  type Page,
  ingestFailurePageSchema,
} from '@flotilla/contracts';
import { IngestFailuresService, presentIngestFailure, presentPage } from '@flotilla/management';
import { ApiOperation } from '@flotilla/openapi';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { ValidQuery } from '../http/json-body';

/** Invalid broker messages of the whole project (`?sourceId=`, `?reason=` to narrow). */
@Controller('api/v1/projects/:projectID/ingestfailures')
@UseGuards(ProjectGuard)
export class IngestFailuresController {
  constructor(private readonly failures: IngestFailuresService) {}

  @ApiOperation({
    summary: 'List invalid broker messages of all sources',
    data: ingestFailurePageSchema,
  })
  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(ingestFailureListQuerySchema) query: IngestFailureListQuery,
  ): Promise<Envelope<Page<IngestFailureResponse>>> {
    const page = await this.failures.list(projectId, query);
    return ok(
      'Ingest failures fetched successfully',
      presentPage(page, query.perPage, presentIngestFailure),
    );
  }
}
