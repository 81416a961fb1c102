import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { deliveryListQuerySchema, type DeliveryListQuery } from '@flotilla/contracts';
import { EventLogService, presentAttempt, presentDelivery, presentPage } from '@flotilla/management';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { ValidQuery } from '../http/json-body';

@Controller('api/v1/projects/:projectID/eventdeliveries')
@UseGuards(ProjectGuard)
export class EventDeliveriesController {
  constructor(private readonly eventLog: EventLogService) {}

  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(deliveryListQuerySchema) query: DeliveryListQuery,
  ): Promise<Envelope<unknown>> {
    const page = await this.eventLog.listDeliveries(projectId, query);
    return ok('Event deliveries fetched successfully', presentPage(page, query.perPage, presentDelivery));
  }

  @Get(':deliveryID')
  async get(@Param('projectID') projectId: string, @Param('deliveryID') id: string): Promise<Envelope<unknown>> {
    return ok('Event delivery fetched successfully', presentDelivery(await this.eventLog.getDelivery(projectId, id)));
  }

  @Get(':deliveryID/deliveryattempts')
  async attempts(@Param('projectID') projectId: string, @Param('deliveryID') id: string): Promise<Envelope<unknown>> {
    const attempts = await this.eventLog.listAttempts(projectId, id);
    return ok('Delivery attempts fetched successfully', attempts.map(presentAttempt));
  }

  @Get(':deliveryID/deliveryattempts/:attemptID')
  async attempt(
    @Param('projectID') projectId: string,
    @Param('deliveryID') deliveryId: string,
    @Param('attemptID') id: string,
  ): Promise<Envelope<unknown>> {
    return ok('Delivery attempt fetched successfully', presentAttempt(await this.eventLog.getAttempt(projectId, deliveryId, id)));
  }
}
