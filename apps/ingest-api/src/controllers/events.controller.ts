import { Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  batchReplayQuerySchema,
  batchReplayResponseSchema,
  createBroadcastEventBodySchema,
  createDynamicEventBodySchema,
  createEventBodySchema,
  createFanoutEventBodySchema,
  eventListQuerySchema,
  type BatchReplayQuery,
  type CreateBroadcastEventBody,
  type CreateDynamicEventBody,
  type CreateEventBody,
  type CreateFanoutEventBody,
  type EventListQuery,
  type EventTarget,
  acceptedEventResponseSchema,
  eventPageSchema,
  eventResponseSchema,
  type AcceptedEventResponse,
  type EventResponse,
  type Page,
  countResponseSchema,
} from '@flotilla/contracts';
import { ApiOperation } from '@flotilla/openapi';
import { EventDataValidator, extractRawMember, IngestEventService } from '@flotilla/ingestion';
import {
  DeliveryOperationsService,
  DynamicEndpointsService,
  EventLogService,
  presentAcceptedEvent,
  presentEvent,
  presentPage,
} from '@flotilla/management';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, ValidQuery, type ParsedBody } from '../http/json-body';
import { batchEnvelope, sentOr503 } from './event-deliveries.controller';

/** An event's `data` is kept as the text that was sent: any JSON string is fine in it. */
const EVENT_DATA = { opaque: ['data'] } as const;

@Controller('api/v1/projects/:projectID/events')
@UseGuards(ProjectGuard)
export class EventsController {
  constructor(
    private readonly ingest: IngestEventService,
    private readonly eventLog: EventLogService,
    private readonly operations: DeliveryOperationsService,
    private readonly dynamicEndpoints: DynamicEndpointsService,
    private readonly eventData: EventDataValidator,
  ) {}

  /** Answers 201 only once Kafka has acknowledged the event: from here on it is never lost. */
  @ApiOperation({ summary: 'Send an event to one endpoint', data: acceptedEventResponseSchema })
  @Post()
  @HttpCode(201)
  async create(
    @Param('projectID') projectId: string,
    @JsonBody(createEventBodySchema, EVENT_DATA) body: ParsedBody<CreateEventBody>,
  ): Promise<Envelope<AcceptedEventResponse>> {
    const target: EventTarget = { kind: 'single', endpoint_id: body.value.endpoint_id };
    return ok('Endpoint event created successfully', await this.accept(projectId, target, body));
  }

  @ApiOperation({
    summary: 'Fan an event out to every endpoint of an owner',
    data: acceptedEventResponseSchema,
  })
  @Post('fanout')
  @HttpCode(201)
  async fanout(
    @Param('projectID') projectId: string,
    @JsonBody(createFanoutEventBodySchema, EVENT_DATA) body: ParsedBody<CreateFanoutEventBody>,
  ): Promise<Envelope<AcceptedEventResponse>> {
    const target: EventTarget = { kind: 'fanout', owner_id: body.value.owner_id };
    return ok('Event queued successfully', await this.accept(projectId, target, body));
  }

  @ApiOperation({
    summary: 'Broadcast an event to every subscribed endpoint',
    data: acceptedEventResponseSchema,
  })
  @Post('broadcast')
  @HttpCode(201)
  async broadcast(
    @Param('projectID') projectId: string,
    @JsonBody(createBroadcastEventBodySchema, EVENT_DATA)
    body: ParsedBody<CreateBroadcastEventBody>,
  ): Promise<Envelope<AcceptedEventResponse>> {
    return ok(
      'Broadcast event queued successfully',
      await this.accept(projectId, { kind: 'broadcast' }, body),
    );
  }

  /**
   * Convoy's dynamic event: the endpoint for `url` is found or made (with a subscription to
   * `event_types`), then the event goes to it as a single-endpoint event.
   */
  @ApiOperation({
    summary: 'Send an event to a URL (endpoint and subscription made on the fly)',
    data: acceptedEventResponseSchema,
  })
  @Post('dynamic')
  @HttpCode(201)
  async dynamic(
    @Param('projectID') projectId: string,
    @JsonBody(createDynamicEventBodySchema, EVENT_DATA) body: ParsedBody<CreateDynamicEventBody>,
  ): Promise<Envelope<AcceptedEventResponse>> {
    // Checked before the endpoint is made, so a refused event leaves nothing behind.
    await this.eventData.check(projectId, body.value.event_type, body.value.data);
    const { endpoint } = await this.dynamicEndpoints.resolve(projectId, body.value);
    const target: EventTarget = { kind: 'single', endpoint_id: endpoint.id };
    return ok('Dynamic event created successfully', await this.accept(projectId, target, body));
  }

  @ApiOperation({ summary: 'List events', data: eventPageSchema })
  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(eventListQuerySchema) query: EventListQuery,
  ): Promise<Envelope<Page<EventResponse>>> {
    const page = await this.eventLog.listEvents(projectId, query);
    return ok('Events fetched successfully', presentPage(page, query.perPage, presentEvent));
  }

  /** At most MAX_MANUAL_BATCH (10,000) matching events per call; more is a 400 asking for narrower filters. */
  /**
   * Convoy's `BatchReplayEvents` (api/handlers/event.go) says "n successful, m failed"; its API
   * reference types `data` as a string, so the same words are the data.
   */
  @ApiOperation({
    summary: 'Replay the events matching the filters',
    data: batchReplayResponseSchema,
  })
  @Post('batchreplay')
  @HttpCode(200)
  async batchReplay(
    @Param('projectID') projectId: string,
    @ValidQuery(batchReplayQuerySchema) query: BatchReplayQuery,
  ): Promise<Envelope<string>> {
    const { message } = batchEnvelope(
      await sentOr503(this.operations.batchReplay(projectId, query)),
    );
    return ok(message, message);
  }

  /** Convoy's `CountAffectedEvents` (api/handlers/event.go): `{num}` for the batch replay filters. */
  @ApiOperation({
    summary: 'Count the events a batch replay would select',
    data: countResponseSchema,
  })
  @Get('countbatchreplayevents')
  async countBatchReplay(
    @Param('projectID') projectId: string,
    @ValidQuery(batchReplayQuerySchema) query: BatchReplayQuery,
  ): Promise<Envelope<{ num: number }>> {
    return ok('events count successful', {
      num: await this.operations.countBatchReplay(projectId, query),
    });
  }

  @ApiOperation({ summary: 'Replay an event', data: eventResponseSchema })
  @Put(':eventID/replay')
  async replay(
    @Param('projectID') projectId: string,
    @Param('eventID') id: string,
  ): Promise<Envelope<EventResponse>> {
    const event = await sentOr503(this.operations.replay(projectId, id));
    return ok('Endpoint event replayed successfully', presentEvent(event));
  }

  @ApiOperation({ summary: 'Get an event', data: eventResponseSchema })
  @Get(':eventID')
  async get(
    @Param('projectID') projectId: string,
    @Param('eventID') id: string,
  ): Promise<Envelope<EventResponse>> {
    return ok(
      'Event fetched successfully',
      presentEvent(await this.eventLog.getEvent(projectId, id)),
    );
  }

  private async accept(
    projectId: string,
    target: EventTarget,
    body: ParsedBody<CreateBroadcastEventBody>,
  ): Promise<AcceptedEventResponse> {
    // The project's schema check (when it turned it on): 400 naming the JSON path that fails.
    await this.eventData.check(projectId, body.value.event_type, body.value.data);
    const message = await this.ingest.accept({
      projectId,
      target,
      eventType: body.value.event_type,
      // The schema guarantees `data` is present, so the raw member exists.
      rawData: extractRawMember(body.text, 'data') ?? JSON.stringify(body.value.data),
      customHeaders: body.value.custom_headers,
      idempotencyKey: body.value.idempotency_key,
      channel: 'http',
    });
    return presentAcceptedEvent(message);
  }
}
