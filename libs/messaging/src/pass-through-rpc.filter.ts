import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter turns any error into a generic object, which would hide our typed
 * errors from the transport. Consumers use this filter so the transport sees the real error and can
 * retry the unit instead of committing past it.
 */
@Catch()
export class PassThroughRpcFilter implements RpcExceptionFilter {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
