import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** JSON logs on stdout, one line per entry, with the service name on every line. */
export function createLogger(service: string, level = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
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
