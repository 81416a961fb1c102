import { Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  createSourceBodySchema,
  ingestFailureListQuerySchema,
  sourceListQuerySchema,
  updateSourceBodySchema,
  type CreateSourceBody,
  type IngestFailureListQuery,
  type SourceListQuery,
  type UpdateSourceBody,
} from '@flotilla/contracts';
import {
  IngestFailuresService,
  presentIngestFailure,
  presentPage,
  presentSource,
  SourcesService,
  toCursor,
} from '@flotilla/management';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, ValidQuery, type ParsedBody } from '../http/json-body';

@Controller('api/v1/projects/:projectID/sources')
@UseGuards(ProjectGuard)
export class SourcesController {
  constructor(
    private readonly sources: SourcesService,
    private readonly failures: IngestFailuresService,
  ) {}

  @Post()
  @HttpCode(201)
  async create(
    @Param('projectID') projectId: string,
    @JsonBody(createSourceBodySchema) body: ParsedBody<CreateSourceBody>,
  ): Promise<Envelope<unknown>> {
    return ok(
      'Source created successfully',
      presentSource(await this.sources.create(projectId, body.value)),
    );
  }

  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(sourceListQuerySchema) query: SourceListQuery,
  ): Promise<Envelope<unknown>> {
    const page = await this.sources.list(projectId, toCursor(query));
    return ok('Sources fetched successfully', presentPage(page, query.perPage, presentSource));
  }

  @Get(':sourceID')
  async get(
    @Param('projectID') projectId: string,
    @Param('sourceID') id: string,
  ): Promise<Envelope<unknown>> {
    return ok('Source fetched successfully', presentSource(await this.sources.get(projectId, id)));
  }

  /** Takes effect in the ingesters within one refresh (SOURCES_REFRESH_MS). */
  @Put(':sourceID')
  @HttpCode(202)
  async update(
    @Param('projectID') projectId: string,
    @Param('sourceID') id: string,
    @JsonBody(updateSourceBodySchema) body: ParsedBody<UpdateSourceBody>,
  ): Promise<Envelope<unknown>> {
    return ok(
      'Source updated successfully',
      presentSource(await this.sources.update(projectId, id, body.value)),
    );
  }

  @Delete(':sourceID')
  async remove(
    @Param('projectID') projectId: string,
    @Param('sourceID') id: string,
  ): Promise<Envelope<unknown>> {
    await this.sources.delete(projectId, id);
    return ok('Source deleted successfully', null);
  }

  /** The source's invalid broker messages, newest first, with the reason for each. */
  @Get(':sourceID/failures')
  async listFailures(
    @Param('projectID') projectId: string,
    @Param('sourceID') id: string,
    @ValidQuery(ingestFailureListQuerySchema) query: IngestFailureListQuery,
  ): Promise<Envelope<unknown>> {
    const source = await this.sources.get(projectId, id);
    const page = await this.failures.list(projectId, { ...query, sourceId: source.id });
    return ok(
      'Ingest failures fetched successfully',
      presentPage(page, query.perPage, presentIngestFailure),
    );
  }
}
