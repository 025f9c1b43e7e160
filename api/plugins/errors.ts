import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { isAppError } from '../../domain/errors.ts';

/** The one error shape every route answers with. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export const errorBody = (code: string, message: string, details?: unknown): ErrorBody => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

/**
 * Turns every failure into `{"error": {code, message, details?}}` with the right status. Errors a
 * caller caused are answered as they are; our own are logged once and answered without internals.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((issue) => ({ path: issue.instancePath || `/${error.validationContext ?? ''}`, message: issue.message }));
      return reply.status(400).send(errorBody('VALIDATION_FAILED', `Invalid ${error.validationContext ?? 'request'}: ${details[0]?.message ?? 'bad input'}`, details));
    }
    if (isAppError(error)) {
      // Our own failure: logged whole, answered without its internals.
      if (error.code === 'INTERNAL') {
        request.log.error({ err: error }, error.message);
        return reply.status(500).send(errorBody('INTERNAL', 'Something went wrong on our side; it has been logged'));
      }
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      return reply.status(error.status).send(errorBody(error.code, error.message, error.details));
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'response did not match its schema');
      return reply.status(500).send(errorBody('INTERNAL', 'Something went wrong on our side; it has been logged'));
    }
    // Fastify's own client errors (bad JSON, body too large, unsupported media type) keep their status.
    const status = error.statusCode ?? 500;
    if (status < 500) return reply.status(status).send(errorBody(status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', error.message));
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(errorBody('INTERNAL', 'Something went wrong on our side; it has been logged'));
  });
}
