import { Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  createEventTypeBodySchema,
  eventTypeListSchema,
  eventTypeResponseSchema,
  updateEventTypeBodySchema,
  type CreateEventTypeBody,
  type EventTypeResponse,
  type UpdateEventTypeBody,
} from '@flotilla/contracts';
import { ApiOperation } from '@flotilla/openapi';
import { EventTypesService, presentEventType } from '@flotilla/management';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, type ParsedBody } from '../http/json-body';

/** Convoy's event-type catalog; schemas are JSON Schema (draft 2020-12). */
@Controller('api/v1/projects/:projectID/event-types')
@UseGuards(ProjectGuard)
export class EventTypesController {
  constructor(private readonly types: EventTypesService) {}

  @ApiOperation({ summary: 'List the event types', data: eventTypeListSchema })
  @Get()
  async list(@Param('projectID') projectId: string): Promise<Envelope<EventTypeResponse[]>> {
    const types = await this.types.list(projectId);
    return ok('Event types fetched successfully', types.map(presentEventType));
  }

  @ApiOperation({ summary: 'Create an event type', data: eventTypeResponseSchema })
  @Post()
  @HttpCode(201)
  async create(
    @Param('projectID') projectId: string,
    @JsonBody(createEventTypeBodySchema) body: ParsedBody<CreateEventTypeBody>,
  ): Promise<Envelope<EventTypeResponse>> {
    return ok(
      'Event type created successfully',
      presentEventType(await this.types.create(projectId, body.value)),
    );
  }

  /** Not Convoy's: the catalog as an OpenAPI 3.1 document whose `webhooks` are the event types. */
  @ApiOperation({
    summary: "The catalog as an OpenAPI 3.1 document of webhooks (not in Convoy's API)",
  })
  @Get('openapi.json')
  async openApi(@Param('projectID') projectId: string): Promise<Envelope<Record<string, unknown>>> {
    return ok(
      'Event type catalog fetched successfully',
      await this.types.webhooksDocument(projectId),
    );
  }

  @ApiOperation({ summary: 'Update an event type', data: eventTypeResponseSchema })
  @Put(':eventTypeID')
  @HttpCode(202)
  async update(
    @Param('projectID') projectId: string,
    @Param('eventTypeID') id: string,
    @JsonBody(updateEventTypeBodySchema) body: ParsedBody<UpdateEventTypeBody>,
  ): Promise<Envelope<EventTypeResponse>> {
    return ok(
      'Event type updated successfully',
      presentEventType(await this.types.update(projectId, id, body.value)),
    );
  }

  /** Deprecated types stay listed and their events are still accepted. */
  @ApiOperation({ summary: 'Deprecate an event type', data: eventTypeResponseSchema })
  @Post(':eventTypeID/deprecate')
  @HttpCode(200)
  async deprecate(
    @Param('projectID') projectId: string,
    @Param('eventTypeID') id: string,
  ): Promise<Envelope<EventTypeResponse>> {
    return ok(
      'Event type deprecated successfully',
      presentEventType(await this.types.deprecate(projectId, id)),
    );
  }
}
