import { Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  batchRetryQuerySchema,
  deliveryListQuerySchema,
  deliveryStatusTotalsQuerySchema,
  forceResendBodySchema,
  type BatchOperationResult,
  type BatchRetryQuery,
  type DeliveryListQuery,
  type DeliveryStatusTotalsQuery,
  type StatusTotals,
  type ForceResendBody,
  type AttemptResponse,
  type DeliveryResponse,
  type Page,
  attemptListSchema,
  attemptResponseSchema,
  batchOperationResponseSchema,
  countResponseSchema,
  deliveryPageSchema,
  deliveryResponseSchema,
  statusTotalsResponseSchema,
} from '@flotilla/contracts';
import {
  DeliveryOperationsService,
  EventLogService,
  presentAttempt,
  presentDelivery,
  presentPage,
} from '@flotilla/management';
import { BrokerUnavailableError } from '@flotilla/messaging';
import { ApiOperation } from '@flotilla/openapi';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, ValidQuery, type ParsedBody } from '../http/json-body';
import { RequestError } from '../http/request-error';

@Controller('api/v1/projects/:projectID/eventdeliveries')
@UseGuards(ProjectGuard)
export class EventDeliveriesController {
  constructor(
    private readonly eventLog: EventLogService,
    private readonly operations: DeliveryOperationsService,
  ) {}

  @ApiOperation({ summary: 'List event deliveries', data: deliveryPageSchema })
  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(deliveryListQuerySchema) query: DeliveryListQuery,
  ): Promise<Envelope<Page<DeliveryResponse>>> {
    const page = await this.eventLog.listDeliveries(projectId, query);
    const context = await this.eventLog.deliveryContext(projectId, page.rows);
    return ok(
      'Event deliveries fetched successfully',
      presentPage(page, query.perPage, (delivery) => presentDelivery(delivery, context)),
    );
  }

  // Static paths come before ':deliveryID', which would otherwise capture them.
  /** Counts per status of the deliveries the same filters list (every status, zeros included). */
  @ApiOperation({ summary: 'Count deliveries per status', data: statusTotalsResponseSchema })
  @Get('statustotals')
  async statusTotals(
    @Param('projectID') projectId: string,
    @ValidQuery(deliveryStatusTotalsQuerySchema) query: DeliveryStatusTotalsQuery,
  ): Promise<Envelope<StatusTotals>> {
    return ok(
      'Event delivery status totals fetched successfully',
      await this.eventLog.statusTotals(projectId, query),
    );
  }

  @ApiOperation({
    summary: 'Send deliveries again, successful ones included',
    data: batchOperationResponseSchema,
  })
  @Post('forceresend')
  @HttpCode(200)
  async forceResend(
    @Param('projectID') projectId: string,
    @JsonBody(forceResendBodySchema) body: ParsedBody<ForceResendBody>,
  ): Promise<Envelope<BatchOperationResult>> {
    return batchEnvelope(await sentOr503(this.operations.forceResend(projectId, body.value)));
  }

  @ApiOperation({
    summary: 'Retry the deliveries matching the filters',
    data: batchOperationResponseSchema,
  })
  @Post('batchretry')
  @HttpCode(200)
  async batchRetry(
    @Param('projectID') projectId: string,
    @ValidQuery(batchRetryQuerySchema) query: BatchRetryQuery,
  ): Promise<Envelope<BatchOperationResult>> {
    return batchEnvelope(await sentOr503(this.operations.batchRetry(projectId, query)));
  }

  @ApiOperation({
    summary: 'Count the deliveries a batch retry would select',
    data: countResponseSchema,
  })
  @Get('countbatchretryevents')
  async countBatchRetry(
    @Param('projectID') projectId: string,
    @ValidQuery(batchRetryQuerySchema) query: BatchRetryQuery,
  ): Promise<Envelope<{ num: number }>> {
    return ok('event deliveries count successful', {
      num: await this.operations.countBatchRetry(projectId, query),
    });
  }

  @ApiOperation({ summary: 'Resend a failed delivery', data: deliveryResponseSchema })
  @Put(':deliveryID/resend')
  async resend(
    @Param('projectID') projectId: string,
    @Param('deliveryID') id: string,
  ): Promise<Envelope<DeliveryResponse>> {
    const delivery = await sentOr503(this.operations.resend(projectId, id));
    return ok(
      'App event processed for retry successfully',
      presentDelivery(delivery, await this.eventLog.deliveryContext(projectId, [delivery])),
    );
  }

  @ApiOperation({ summary: 'Get an event delivery', data: deliveryResponseSchema })
  @Get(':deliveryID')
  async get(
    @Param('projectID') projectId: string,
    @Param('deliveryID') id: string,
  ): Promise<Envelope<DeliveryResponse>> {
    const delivery = await this.eventLog.getDelivery(projectId, id);
    return ok(
      'Event delivery fetched successfully',
      presentDelivery(delivery, await this.eventLog.deliveryContext(projectId, [delivery])),
    );
  }

  @ApiOperation({ summary: "List a delivery's attempts", data: attemptListSchema })
  @Get(':deliveryID/deliveryattempts')
  async attempts(
    @Param('projectID') projectId: string,
    @Param('deliveryID') id: string,
  ): Promise<Envelope<AttemptResponse[]>> {
    const attempts = await this.eventLog.listAttempts(projectId, id);
    return ok('Delivery attempts fetched successfully', attempts.map(presentAttempt));
  }

  @ApiOperation({ summary: 'Get a delivery attempt', data: attemptResponseSchema })
  @Get(':deliveryID/deliveryattempts/:attemptID')
  async attempt(
    @Param('projectID') projectId: string,
    @Param('deliveryID') deliveryId: string,
    @Param('attemptID') id: string,
  ): Promise<Envelope<AttemptResponse>> {
    return ok(
      'Delivery attempt fetched successfully',
      presentAttempt(await this.eventLog.getAttempt(projectId, deliveryId, id)),
    );
  }
}

/** Convoy's answer to batch operations: "n successful, m failed"; the counts are in `data` too. */
export function batchEnvelope(result: BatchOperationResult): Envelope<BatchOperationResult> {
  return ok(`${result.successes} successful, ${result.failures} failed`, result);
}

/**
 * Kafka refusing the messages loses nothing: the deliveries are already Scheduled, and the scheduler
 * sends them when their safety lease ends. The client learns it was not sent now and may retry.
 */
export async function sentOr503<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof BrokerUnavailableError)) throw error;
    throw new RequestError(
      503,
      'Kafka did not acknowledge: the deliveries are scheduled and will be sent within 5 minutes; retry to send them now',
    );
  }
}
