import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter turns any error into "Internal server error"; the JetStream transport needs the real
 * one to log it and to record why an event was dead-lettered. Register it on the microservice.
 */
@Catch()
export class RethrowEventErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
