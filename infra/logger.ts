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

interface LoggedRequest {
  method: string;
  url: string;
  ip?: string;
}

/** Requests are logged without their query string: links from mails carry tokens there. */
const serializers = {
  req: (request: LoggedRequest) => ({ method: request.method, url: request.url.split('?')[0], ip: request.ip }),
};

export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: redactedPaths, censor: '[redacted]' }, serializers };
}

export function createLogger(level: string): Logger {
  return pino(loggerOptions(level));
}
