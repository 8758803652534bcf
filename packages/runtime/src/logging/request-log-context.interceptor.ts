import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { logContext } from '@ensoras/messaging';
import type { Observable } from 'rxjs';

/**
 * Adds the ids of the request's route (`/v1/projects/:projectId/tickets/:ticketId`...) to its log context, opened
 * for each request by LoggingModule's middleware: every line logged while handling it carries them, the request's
 * own line at the end included. Route parameters are only known here, once Nest has routed the request.
 */
@Injectable()
export class RequestLogContext implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const params = context.switchToHttp().getRequest<{ params?: Record<string, string | undefined> }>().params ?? {};
      logContext.assign({ projectId: params.projectId, ticketId: params.ticketId, messageId: params.messageId });
    }
    return next.handle();
  }
}
