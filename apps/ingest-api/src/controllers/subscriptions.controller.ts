import { Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  createSubscriptionBodySchema,
  testFilterBodySchema,
  updateSubscriptionBodySchema,
  type CreateSubscriptionBody,
  type TestFilterBody,
  type UpdateSubscriptionBody,
  subscriptionPageSchema,
  subscriptionResponseSchema,
  type Page,
  type SubscriptionResponse,
  filterTestResponseSchema,
  subscriptionListQuerySchema,
  type SubscriptionListQuery,
} from '@flotilla/contracts';
import { ApiOperation } from '@flotilla/openapi';
import { presentPage, presentSubscription, SubscriptionsService } from '@flotilla/management';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, ValidQuery, type ParsedBody } from '../http/json-body';
import { type Endpoint, type Subscription } from '@flotilla/db';

@Controller('api/v1/projects/:projectID/subscriptions')
@UseGuards(ProjectGuard)
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @ApiOperation({ summary: 'Create a subscription', data: subscriptionResponseSchema })
  @Post()
  @HttpCode(201)
  async create(
    @Param('projectID') projectId: string,
    @JsonBody(createSubscriptionBodySchema) body: ParsedBody<CreateSubscriptionBody>,
  ): Promise<Envelope<SubscriptionResponse>> {
    return ok(
      'Subscription created successfully',
      await this.present(projectId, await this.subscriptions.create(projectId, body.value)),
    );
  }

  @ApiOperation({ summary: 'List subscriptions', data: subscriptionPageSchema })
  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(subscriptionListQuerySchema) query: SubscriptionListQuery,
  ): Promise<Envelope<Page<SubscriptionResponse>>> {
    const page = await this.subscriptions.list(projectId, query);
    return ok(
      'Subscriptions fetched successfully',
      presentPage(
        page,
        query.perPage,
        presentWith(await this.subscriptions.endpointsOf(projectId, page.rows)),
      ),
    );
  }

  /** Declared before `:subscriptionID` routes so the literal path wins. */
  @ApiOperation({
    summary: 'Test a filter against a sample request',
    data: filterTestResponseSchema,
  })
  @Post('test_filter')
  @HttpCode(200)
  testFilter(@JsonBody(testFilterBodySchema) body: ParsedBody<TestFilterBody>): Envelope<boolean> {
    return ok(
      'Subscriptions filter tested successfully',
      this.subscriptions.testFilter(body.value),
    );
  }

  @ApiOperation({ summary: 'Get a subscription', data: subscriptionResponseSchema })
  @Get(':subscriptionID')
  async get(
    @Param('projectID') projectId: string,
    @Param('subscriptionID') id: string,
  ): Promise<Envelope<SubscriptionResponse>> {
    return ok(
      'Subscription fetched successfully',
      await this.present(projectId, await this.subscriptions.get(projectId, id)),
    );
  }

  @ApiOperation({ summary: 'Update a subscription', data: subscriptionResponseSchema })
  @Put(':subscriptionID')
  // Convoy answers 202 Accepted (api/handlers).
  @HttpCode(202)
  async update(
    @Param('projectID') projectId: string,
    @Param('subscriptionID') id: string,
    @JsonBody(updateSubscriptionBodySchema) body: ParsedBody<UpdateSubscriptionBody>,
  ): Promise<Envelope<SubscriptionResponse>> {
    return ok(
      'Subscription updated successfully',
      await this.present(projectId, await this.subscriptions.update(projectId, id, body.value)),
    );
  }

  @ApiOperation({ summary: 'Delete a subscription' })
  @Delete(':subscriptionID')
  async remove(
    @Param('projectID') projectId: string,
    @Param('subscriptionID') id: string,
  ): Promise<Envelope<null>> {
    await this.subscriptions.delete(projectId, id);
    return ok('Subscription deleted successfully', null);
  }

  /** active ↔ inactive; an inactive subscription routes nothing. */
  @ApiOperation({
    summary: 'Toggle a subscription between active and inactive',
    data: subscriptionResponseSchema,
  })
  @Put(':subscriptionID/toggle_status')
  // Convoy answers 202 Accepted (api/handlers).
  @HttpCode(202)
  async toggleStatus(
    @Param('projectID') projectId: string,
    @Param('subscriptionID') id: string,
  ): Promise<Envelope<SubscriptionResponse>> {
    return ok(
      'Subscription status updated successfully',
      await this.present(projectId, await this.subscriptions.toggleStatus(projectId, id)),
    );
  }

  private async present(
    projectId: string,
    subscription: Subscription,
  ): Promise<SubscriptionResponse> {
    return presentSubscription(
      subscription,
      await this.subscriptions.endpointsOf(projectId, [subscription]),
    );
  }
}

function presentWith(
  endpoints: ReadonlyMap<string, Endpoint>,
): (subscription: Subscription) => SubscriptionResponse {
  return (subscription) => presentSubscription(subscription, endpoints);
}
