import {
  Catch,
  HttpException,
  Inject,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { IngestError } from '@flotilla/ingestion';
import { ManagementError } from '@flotilla/management';
import { LOGGER, type Logger } from '@flotilla/observability';
import { RequestError, type FieldError } from './request-error';

interface ErrorBody {
  status: false;
  message: string;
  data?: { field?: string; errors?: FieldError[] };
}

/** Every error leaves as Convoy's envelope with the right status; unknown errors are logged, not leaked. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body, headers } = this.describe(exception);
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }

  private describe(exception: unknown): {
    status: number;
    body: ErrorBody;
    headers: Record<string, string>;
  } {
    const fail = (
      status: number,
      message: string,
      field?: string,
      errors?: FieldError[],
      headers: Record<string, string> = {},
    ) => ({
      status,
      body: {
        status: false as const,
        message,
        ...(field || errors
          ? { data: { ...(field ? { field } : {}), ...(errors ? { errors } : {}) } }
          : {}),
      },
      headers,
    });
    if (exception instanceof RequestError) {
      return fail(
        exception.status,
        exception.message,
        exception.field,
        exception.errors,
        exception.headers,
      );
    }
    if (exception instanceof ManagementError) {
      const status = {
        not_found: 404,
        validation: 400,
        conflict: 409,
        forbidden: 403,
        unauthorized: 401,
      }[exception.code];
      return fail(status, exception.message, exception.field);
    }
    if (exception instanceof IngestError) {
      switch (exception.code) {
        case 'endpoint_not_found':
          return fail(404, exception.message, exception.field);
        case 'invalid_data':
          return fail(400, exception.message, exception.field);
        case 'broker_unavailable':
          return fail(503, exception.message, undefined, undefined, { 'Retry-After': '1' });
      }
    }
    // body-parser's errors carry a status and a type (entity.too.large, encoding.unsupported, ...)
    const parserError = exception as { status?: unknown; type?: unknown; limit?: unknown };
    if (typeof parserError.type === 'string' && typeof parserError.status === 'number') {
      if (parserError.type === 'entity.too.large') {
        return fail(
          413,
          `request body is larger than the limit of ${String(parserError.limit)} bytes`,
          'body',
        );
      }
      return fail(parserError.status, `unreadable request body (${parserError.type})`, 'body');
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return fail(status, status === 404 ? 'route not found' : exception.message);
    }
    this.logger.error({ err: exception }, 'unhandled error');
    return fail(500, 'internal error');
  }
}
