import type { Document } from '../../domain/read-models/document-store.ts';
import type { Projection } from '../projection.ts';
import type { MailContext } from './message.ts';
import { mailComposers } from './messages/index.ts';

export interface OutboxMail extends Document {
  status: 'pending' | 'sent' | 'failed';
  to?: string;
  subject?: string;
  text?: string;
  html?: string;
  attempts: number;
  nextAttemptAt: string;
  createdAt: string;
  sentAt?: string;
  lastError?: string;
}

/** Mails about older events are not sent: their links have expired, and a rebuilt outbox must not flood anyone. */
const MAX_EVENT_AGE_MS = 24 * 3600_000;

/**
 * Turns events into mails waiting in an outbox, keyed by message id: a replayed event finds its mail
 * already there and leaves it alone, so a restart never queues a mail twice. The sender delivers.
 */
export function mailOutbox(ctx: MailContext & { now: () => Date }): Projection {
  return {
    name: 'mail',
    filter: { streamPrefixes: ['user-', 'mfa-', 'org-', 'session-'] },
    collections: { outbox: { indexes: [{ name: 'by_status_due', fields: [['status', 1], ['nextAttemptAt', 1]] }] } },
    async apply(event, model) {
      if (ctx.now().getTime() - Date.parse(event.metadata.occurredAt) > MAX_EVENT_AGE_MS) return;
      const outbox = model.collection<OutboxMail>('outbox');
      for (const compose of mailComposers) {
        for (const mail of await compose(event, ctx)) {
          if (await outbox.get(mail.messageId)) continue;
          const at = ctx.now().toISOString();
          await outbox.upsert({ _id: mail.messageId, status: 'pending', to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, attempts: 0, nextAttemptAt: at, createdAt: at });
        }
      }
    },
  };
}
