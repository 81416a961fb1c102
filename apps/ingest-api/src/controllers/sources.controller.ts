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
  type IngestFailureResponse,
  type Page,
  type SourceResponse,
  ingestFailurePageSchema,
  sourcePageSchema,
  sourceResponseSchema,
} from '@flotilla/contracts';
import {
  IngestFailuresService,
  presentIngestFailure,
  presentPage,
  presentSource,
  SourcesService,
  toCursor,
} from '@flotilla/management';
import { ApiOperation } from '@flotilla/openapi';
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

  @ApiOperation({ summary: 'Create a source', data: sourceResponseSchema })
  @Post()
  @HttpCode(201)
  async create(
    @Param('projectID') projectId: string,
    @JsonBody(createSourceBodySchema) body: ParsedBody<CreateSourceBody>,
  ): Promise<Envelope<SourceResponse>> {
    return ok(
      'Source created successfully',
      presentSource(await this.sources.create(projectId, body.value)),
    );
  }

  @ApiOperation({ summary: 'List sources', data: sourcePageSchema })
  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(sourceListQuerySchema) query: SourceListQuery,
  ): Promise<Envelope<Page<SourceResponse>>> {
    const page = await this.sources.list(projectId, toCursor(query));
    return ok('Sources fetched successfully', presentPage(page, query.perPage, presentSource));
  }

  @ApiOperation({ summary: 'Get a source', data: sourceResponseSchema })
  @Get(':sourceID')
  async get(
    @Param('projectID') projectId: string,
    @Param('sourceID') id: string,
  ): Promise<Envelope<SourceResponse>> {
    return ok('Source fetched successfully', presentSource(await this.sources.get(projectId, id)));
  }

  /** Takes effect in the ingesters within one refresh (SOURCES_REFRESH_MS). */
  @ApiOperation({ summary: 'Update a source', data: sourceResponseSchema })
  @Put(':sourceID')
  @HttpCode(202)
  async update(
    @Param('projectID') projectId: string,
    @Param('sourceID') id: string,
    @JsonBody(updateSourceBodySchema) body: ParsedBody<UpdateSourceBody>,
  ): Promise<Envelope<SourceResponse>> {
    return ok(
      'Source updated successfully',
      presentSource(await this.sources.update(projectId, id, body.value)),
    );
  }

  @ApiOperation({ summary: 'Delete a source' })
  @Delete(':sourceID')
  async remove(
    @Param('projectID') projectId: string,
    @Param('sourceID') id: string,
  ): Promise<Envelope<null>> {
    await this.sources.delete(projectId, id);
    return ok('Source deleted successfully', null);
  }

  /** The source's invalid broker messages, newest first, with the reason for each. */
  @ApiOperation({
    summary: "List a source's invalid broker messages",
    data: ingestFailurePageSchema,
  })
  @Get(':sourceID/failures')
  async listFailures(
    @Param('projectID') projectId: string,
    @Param('sourceID') id: string,
    @ValidQuery(ingestFailureListQuerySchema) query: IngestFailureListQuery,
  ): Promise<Envelope<Page<IngestFailureResponse>>> {
    const source = await this.sources.get(projectId, id);
    const page = await this.failures.list(projectId, { ...query, sourceId: source.id });
    return ok(
      'Ingest failures fetched successfully',
      presentPage(page, query.perPage, presentIngestFailure),
    );
  }
}
