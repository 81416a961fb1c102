import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { z } from 'zod';
import { OPENAPI_OPERATION, type ApiOperationOptions } from '@flotilla/openapi';
import type { Envelope } from './envelope';
import { RequestError } from './request-error';

function isSuccessEnvelope(answer: unknown): answer is Envelope<unknown> {
  return typeof answer === 'object' && answer !== null && 'data' in answer && 'status' in answer
    ? answer.status === true
    : false;
}

/**
 * With CHECK_RESPONSES on (the e2e tests turn it on), every successful answer is parsed with the
 * `data` schema its route documents, the one the OpenAPI document and the typed client show. A
 * presenter that drifts from the published shape then fails the test that reached it, instead of
 * a client in production. Off by default: it costs a parse of every answer.
 */
@Injectable()
export class ResponseContractInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const operation = Reflect.getMetadata(OPENAPI_OPERATION, context.getHandler()) as
      ApiOperationOptions | undefined;
    const schema = operation?.data;
    if (!schema) return next.handle();
    return next.handle().pipe(
      map((answer: unknown) => {
        if (!isSuccessEnvelope(answer)) return answer;
        const result = schema.safeParse(answer.data);
        if (!result.success) {
          throw new RequestError(
            500,
            `the answer does not match its documented schema: ${z.prettifyError(result.error)}`,
          );
        }
        return answer;
      }),
    );
  }
}
