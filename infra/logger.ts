import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';

export type Logger = PinoLogger;

/** Anything that could carry a secret is censored wherever it appears in a log line. */
export const redactedPaths = [
  'password',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.secretAccessKey',
  '*.token',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'config.masterKey',
  'config.smtpUrl',
  'config.eventStoreUrl',
  'config.mongoUrl',
];

export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: redactedPaths, censor: '[redacted]' } };
}

export function createLogger(level: string): Logger {
  return pino(loggerOptions(level));
}
