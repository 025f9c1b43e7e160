import type { Mailer } from '../../domain/mail/mailer.ts';
import type { DocumentStore } from '../../domain/read-models/document-store.ts';
import type { Logger } from '../../infra/logger.ts';
import { readModel } from '../generations.ts';
import type { OutboxMail } from './outbox.ts';

export interface MailSenderOptions {
  documents: DocumentStore;
  mailer: Mailer;
  logger: Logger;
  now: () => Date;
  /** The first retry waits this long, each next one twice as long (capped at an hour). */
  retryBaseMs?: number;
  pollMs?: number;
}

const MAX_ATTEMPTS = 10;
const BATCH = 20;

/**
 * Delivers pending outbox mails, retrying failures with exponential backoff. A delivered mail keeps
 * only its status: the address and body (personal data, tokens) are dropped once sent. A crash
 * between the server's acceptance and the status write can resend that one mail; its Message-ID
 * stays the same, so the recipient's mail system can recognise it.
 */
export function startMailSender(options: MailSenderOptions): { stop(): Promise<void>; deliverDue(): Promise<number> } {
  const { documents, mailer, logger, now, retryBaseMs = 30_000, pollMs = 1000 } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  async function deliverDue(): Promise<number> {
    const outbox = await readModel<OutboxMail>(documents, 'mail', 'outbox');
    const due = await outbox.find({ status: 'pending', nextAttemptAt: { $lte: now().toISOString() } }, { sort: [['nextAttemptAt', 1]], limit: BATCH });
    for (const mail of due) {
      if (stopped) break;
      try {
        await mailer.send({ messageId: mail._id, to: mail.to!, subject: mail.subject!, text: mail.text!, html: mail.html! });
        await outbox.upsert({ _id: mail._id, status: 'sent', attempts: mail.attempts + 1, nextAttemptAt: mail.nextAttemptAt, createdAt: mail.createdAt, sentAt: now().toISOString() });
      } catch (error) {
        const attempts = mail.attempts + 1;
        const failed = attempts >= MAX_ATTEMPTS;
        const delay = Math.min(retryBaseMs * 2 ** (attempts - 1), 3600_000);
        logger[failed ? 'error' : 'warn']({ messageId: mail._id, attempts, err: error }, failed ? 'mail could not be delivered; giving up' : 'mail delivery failed; will retry');
        await outbox.upsert({ ...mail, status: failed ? 'failed' : 'pending', attempts, nextAttemptAt: new Date(now().getTime() + delay).toISOString(), lastError: (error as Error).message });
      }
    }
    return due.length;
  }

  const tick = () => {
    if (stopped) return;
    running = deliverDue()
      .catch((error: unknown) => logger.error({ err: error }, 'mail sender failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, pollMs);
      });
  };
  tick();

  return {
    deliverDue,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await mailer.close();
    },
  };
}
