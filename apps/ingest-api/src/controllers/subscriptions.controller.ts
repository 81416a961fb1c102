import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  createSubscriptionBodySchema,
  pageQuerySchema,
  type CreateSubscriptionBody,
  type PageQuery,
} from '@flotilla/contracts';
import { presentPage, presentSubscription, SubscriptionsService, toCursor } from '@flotilla/management';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, ValidQuery, type ParsedBody } from '../http/json-body';

@Controller('api/v1/projects/:projectID/subscriptions')
@UseGuards(ProjectGuard)
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post()
  @HttpCode(201)
  async create(
    @Param('projectID') projectId: string,
    @JsonBody(createSubscriptionBodySchema) body: ParsedBody<CreateSubscriptionBody>,
  ): Promise<Envelope<unknown>> {
    return ok('Subscription created successfully', presentSubscription(await this.subscriptions.create(projectId, body.value)));
  }

  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(pageQuerySchema) query: PageQuery,
  ): Promise<Envelope<unknown>> {
    const page = await this.subscriptions.list(projectId, toCursor(query));
    return ok('Subscriptions fetched successfully', presentPage(page, query.perPage, presentSubscription));
  }

  @Get(':subscriptionID')
  async get(@Param('projectID') projectId: string, @Param('subscriptionID') id: string): Promise<Envelope<unknown>> {
    return ok('Subscription fetched successfully', presentSubscription(await this.subscriptions.get(projectId, id)));
  }
}
