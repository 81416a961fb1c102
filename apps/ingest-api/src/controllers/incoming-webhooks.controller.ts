import { type ReceivedWebhookResponse, receivedWebhookResponseSchema } from '@flotilla/contracts';
import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { describeVerifyFailure, HttpSourceIngestService } from '@flotilla/ingestion';
import { discardRestAfterAnswer, readBoundedBody } from '../http/bounded-body';
import { ApiOperation } from '@flotilla/openapi';
import { ok, type Envelope } from '../http/envelope';
import { RequestError } from '../http/request-error';

/**
 * Incoming webhooks (Convoy's `POST /ingest/{maskID}`): no API key, the source's verifier
 * authenticates the sender. The body is read here, raw and bounded by the project's
 * `max_payload_read_size` (main.ts leaves `/ingest/` bodies unparsed).
 */
@Controller('ingest')
export class IncomingWebhooksController {
  constructor(private readonly incoming: HttpSourceIngestService) {}

  /** Answers 200 only once Kafka has acknowledged the event. */
  @ApiOperation({ summary: 'Receive an incoming webhook', data: receivedWebhookResponseSchema })
  @Post(':maskID')
  @HttpCode(200)
  async receive(
    @Param('maskID') maskId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Envelope<ReceivedWebhookResponse>> {
    const source = await this.incoming.resolve(maskId);
    if (!source) {
      discardRestAfterAnswer(request, response);
      throw new RequestError(404, 'source not found (unknown, deleted or disabled)', 'maskID');
    }
    const body = await readBoundedBody(request, source.maxPayloadBytes);
    if (!body) {
      discardRestAfterAnswer(request, response);
      throw new RequestError(
        413,
        `request body is larger than this project's limit of ${String(source.maxPayloadBytes)} bytes`,
        'body',
      );
    }
    const result = await this.incoming.receive(source, {
      body,
      headers: request.headers,
      query: new URL(request.originalUrl, 'http://ingest').searchParams,
    });
    if (!result.ok) throw new RequestError(401, describeVerifyFailure(result), result.header);
    return ok('Event received', { event_id: result.eventId, event_type: result.eventType });
  }
}
