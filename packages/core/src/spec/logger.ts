/**
 * The logging shape the engine writes to: pino's (and so Fastify's `app.log`) call signature,
 * `logger.info({ model: 'x' }, 'message')`.
 */
export interface Logger {
  debug(data: object, message?: string): void;
  info(data: object, message?: string): void;
  warn(data: object, message?: string): void;
  error(data: object, message?: string): void;
}

/** A logger that drops everything; the default. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
