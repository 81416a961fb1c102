import { Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import {
  deliveryListQuerySchema,
  eventListQuerySchema,
  pageSchema,
  portalAttemptListSchema,
  portalAttemptResponseSchema,
  portalDeliveryResponseSchema,
  portalEventResponseSchema,
  type DeliveryListQuery,
  type EventListQuery,
  type Page,
  type PortalAttemptResponse,
  type PortalDeliveryResponse,
  type PortalEventResponse,
} from '@flotilla/contracts';
import { ApiOperation } from '@flotilla/openapi';
import {
  PortalService,
  presentPage,
  presentPortalAttempt,
  presentPortalDelivery,
  presentPortalEvent,
  type PortalScope,
} from '@flotilla/management';
import { ok, type Envelope } from '../http/envelope';
import { ValidQuery } from '../http/json-body';
import { Portal, PortalGuard } from '../http/portal.guard';
import { sentOr503 } from './event-deliveries.controller';

/** The events and deliveries of the portal's endpoints, their attempts, and resending. */
@Controller('portal-api')
@UseGuards(PortalGuard)
export class PortalEventLogController {
  constructor(private readonly portal: PortalService) {}

  @ApiOperation({
    summary: "List the events sent to the portal's endpoints",
    data: pageSchema(portalEventResponseSchema),
  })
  @Get('events')
  async events(
    @Portal() scope: PortalScope,
    @ValidQuery(eventListQuerySchema) query: EventListQuery,
  ): Promise<Envelope<Page<PortalEventResponse>>> {
    const { page, reachable } = await this.portal.listEvents(scope, query);
    return ok(
      'Events fetched successfully',
      presentPage(page, query.perPage, (event) => presentPortalEvent(event, reachable)),
    );
  }

  @ApiOperation({ summary: 'Get an event', data: portalEventResponseSchema })
  @Get('events/:eventID')
  async event(
    @Portal() scope: PortalScope,
    @Param('eventID') id: string,
  ): Promise<Envelope<PortalEventResponse>> {
    const { event, reachable } = await this.portal.getEvent(scope, id);
    return ok('Event fetched successfully', presentPortalEvent(event, reachable));
  }

  @ApiOperation({
    summary: "List the portal's deliveries",
    data: pageSchema(portalDeliveryResponseSchema),
  })
  @Get('eventdeliveries')
  async deliveries(
    @Portal() scope: PortalScope,
    @ValidQuery(deliveryListQuerySchema) query: DeliveryListQuery,
  ): Promise<Envelope<Page<PortalDeliveryResponse>>> {
    const page = await this.portal.listDeliveries(scope, query);
    return ok(
      'Event deliveries fetched successfully',
      presentPage(page, query.perPage, presentPortalDelivery),
    );
  }

  @ApiOperation({ summary: 'Get a delivery', data: portalDeliveryResponseSchema })
  @Get('eventdeliveries/:deliveryID')
  async delivery(
    @Portal() scope: PortalScope,
    @Param('deliveryID') id: string,
  ): Promise<Envelope<PortalDeliveryResponse>> {
    return ok(
      'Event delivery fetched successfully',
      presentPortalDelivery(await this.portal.getDelivery(scope, id)),
    );
  }

  @ApiOperation({
    summary: 'Send a delivery again (not a successful one)',
    data: portalDeliveryResponseSchema,
  })
  @Put('eventdeliveries/:deliveryID/resend')
  async resend(
    @Portal() scope: PortalScope,
    @Param('deliveryID') id: string,
  ): Promise<Envelope<PortalDeliveryResponse>> {
    const delivery = await sentOr503(this.portal.resend(scope, id));
    return ok('App event processed for retry successfully', presentPortalDelivery(delivery));
  }

  @ApiOperation({ summary: "A delivery's attempts", data: portalAttemptListSchema })
  @Get('eventdeliveries/:deliveryID/deliveryattempts')
  async attempts(
    @Portal() scope: PortalScope,
    @Param('deliveryID') id: string,
  ): Promise<Envelope<PortalAttemptResponse[]>> {
    const attempts = await this.portal.listAttempts(scope, id);
    return ok('Delivery attempts fetched successfully', attempts.map(presentPortalAttempt));
  }

  @ApiOperation({ summary: 'One attempt of a delivery', data: portalAttemptResponseSchema })
  @Get('eventdeliveries/:deliveryID/deliveryattempts/:attemptID')
  async attempt(
    @Portal() scope: PortalScope,
    @Param('deliveryID') deliveryId: string,
    @Param('attemptID') id: string,
  ): Promise<Envelope<PortalAttemptResponse>> {
    return ok(
      'Delivery attempt fetched successfully',
      presentPortalAttempt(await this.portal.getAttempt(scope, deliveryId, id)),
    );
  }
}
