import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino(loggerOptions('info'), stream), text: () => lines.join('') };
}

describe('logging keeps secrets out', () => {
  it('logs requests without their query string, where mail links carry tokens', () => {
    const { logger, text } = capture();
    logger.info({ req: { method: 'GET', url: '/api/invitations/preview?token=SECRET-TOKEN-123', ip: '203.0.113.5' } }, 'incoming request');
    expect(text()).toContain('"url":"/api/invitations/preview"');
    expect(text()).not.toContain('SECRET-TOKEN-123');
  });

  it('censors passwords, keys, tokens, cookies and connection strings wherever they appear', () => {
    const { logger, text } = capture();
    logger.info({
      password: 'hunter2-hunter2',
      body: { newPassword: 'n3w-password-123', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG', token: 'tok-456' },
      req: { method: 'GET', url: '/', headers: { cookie: 'cv_session=abc' } },
      config: { masterKey: 'bWFzdGVy', smtpUrl: 'smtp://u:p@host', mongoUrl: 'mongodb://u:p@db' },
    });
    for (const secret of ['hunter2-hunter2', 'n3w-password-123', 'wJalrXUtnFEMI', 'tok-456', 'bWFzdGVy', 'u:p@host', 'u:p@db']) expect(text()).not.toContain(secret);
  });
});
