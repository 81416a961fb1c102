import { Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import {
  metaEventListQuerySchema,
  metaEventPageSchema,
  metaEventResponseSchema,
  type MetaEventListQuery,
  type MetaEventResponse,
  type Page,
} from '@flotilla/contracts';
import { ApiOperation } from '@flotilla/openapi';
import { MetaEventsService, presentMetaEvent, presentPage } from '@flotilla/management';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { ValidQuery } from '../http/json-body';

/** Convoy's meta event log (api/handlers/meta_event.go): list, get, resend. */
@Controller('api/v1/projects/:projectID/meta-events')
@UseGuards(ProjectGuard)
export class MetaEventsController {
  constructor(private readonly metaEvents: MetaEventsService) {}

  @ApiOperation({ summary: 'List meta events', data: metaEventPageSchema })
  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(metaEventListQuerySchema) query: MetaEventListQuery,
  ): Promise<Envelope<Page<MetaEventResponse>>> {
    const page = await this.metaEvents.list(projectId, query);
    return ok(
      'Meta events fetched successfully',
      presentPage(page, query.perPage, presentMetaEvent),
    );
  }

  @ApiOperation({ summary: 'Get a meta event', data: metaEventResponseSchema })
  @Get(':metaEventID')
  async get(
    @Param('projectID') projectId: string,
    @Param('metaEventID') id: string,
  ): Promise<Envelope<MetaEventResponse>> {
    return ok(
      'Meta event fetched successfully',
      presentMetaEvent(await this.metaEvents.get(projectId, id)),
    );
  }

  /** Sends it again now, to the project's current meta URL; answers the outcome. */
  @ApiOperation({ summary: 'Resend a meta event', data: metaEventResponseSchema })
  @Put(':metaEventID/resend')
  async resend(
    @Param('projectID') projectId: string,
    @Param('metaEventID') id: string,
  ): Promise<Envelope<MetaEventResponse>> {
    return ok(
      'Meta event processed for retry successfully',
      presentMetaEvent(await this.metaEvents.resend(projectId, id)),
    );
  }
}
