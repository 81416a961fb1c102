import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { currentRequestId } from './request-context';

export type { Logger } from 'pino';

/**
 * Fields never written to logs, wherever they appear in a log object (up to four levels down):
 * credentials in headers, keys, secrets, tokens, passwords.
 */
const SECRET_FIELDS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api_key',
  'apiKey',
  'secret',
  'secrets',
  'password',
  'token',
  'access_token',
  'client_secret',
  'client_key',
  'oauth2_client_secret',
  'mtls_client_key',
  'encryption_key',
];
export const REDACTED_PATHS = SECRET_FIELDS.flatMap((field) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
  const dot = key.startsWith('[') ? '' : '.';
  return [key, `*${dot}${key}`, `*.*${dot}${key}`, `*.*.*${dot}${key}`];
});

/**
 * JSON logs on stdout, one line per entry, with the service name on every line and, inside an
 * HTTP request, its `request_id`. Secret fields are replaced by `[redacted]`.
 */
export function createLogger(
  service: string,
  level = process.env['LOG_LEVEL'] ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin() {
      const requestId = currentRequestId();
      return requestId === undefined ? {} : { request_id: requestId };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Lets Nest's own messages go through the same JSON logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...optional: unknown[]): void {
    this.logger.info(this.fields(optional), this.text(message));
  }
  error(message: unknown, ...optional: unknown[]): void {
    this.logger.error(this.fields(optional), this.text(message));
  }
  warn(message: unknown, ...optional: unknown[]): void {
    this.logger.warn(this.fields(optional), this.text(message));
  }
  debug(message: unknown, ...optional: unknown[]): void {
    this.logger.debug(this.fields(optional), this.text(message));
  }
  verbose(message: unknown, ...optional: unknown[]): void {
    this.logger.trace(this.fields(optional), this.text(message));
  }

  private text(message: unknown): string {
    if (message instanceof Error) return message.stack ?? message.message;
    return typeof message === 'string' ? message : JSON.stringify(message);
  }

  private fields(optional: unknown[]): Record<string, unknown> {
    const context = optional.at(-1);
    return typeof context === 'string' ? { context } : {};
  }
}
