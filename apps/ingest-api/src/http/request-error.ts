import type { z } from 'zod';

export interface FieldError {
  field: string;
  message: string;
}

/** A 4xx the client can act on: the message names the field, `errors` lists every problem. */
export class RequestError extends Error {
  /** Sent with the error answer (e.g. Retry-After). */
  readonly headers: Record<string, string> = {};

  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly errors: FieldError[] = field ? [{ field, message }] : [],
  ) {
    super(message);
    this.name = 'RequestError';
  }

  static fromZod(error: z.ZodError): RequestError {
    const errors = error.issues.map((issue) => {
      const field = issue.path.map(String).join('.') || 'body';
      const message =
        issue.code === 'invalid_type' && issue.message.includes('received undefined')
          ? 'is required'
          : issue.message;
      return { field, message };
    });
    const summary = errors.map((entry) => `${entry.field}: ${entry.message}`).join('; ');
    return new RequestError(400, `validation failed: ${summary}`, errors[0]?.field, errors);
  }
}
