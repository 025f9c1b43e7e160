import type { AwsClients } from '../aws/clients.ts';

type Service = 'ec2' | 'iam' | 's3' | 'rds' | 'lambda';

/** Called on every attempt of every call (after the SDK's retry step): throw to fail that attempt. */
export type AttemptHook = (commandName: string) => void;

interface HookableStack {
  addRelativeTo(
    middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
    options: { relation: 'after'; toMiddleware: string; name: string },
  ): void;
}

/**
 * The same client factory, with a hook inside the retry loop of one service's clients: how tests
 * count calls (pagination) and inject throttling (moto never throttles) without touching the
 * collectors or the factory. The hook sits after `retryMiddleware`, so what it throws is retried
 * exactly as an AWS answer would be.
 */
export function onEveryAttempt(aws: AwsClients, service: Service, hook: AttemptHook): AwsClients {
  const make = aws[service] as (...args: unknown[]) => { middlewareStack: unknown };
  const instrumented = (...args: unknown[]) => {
    const client = make(...args);
    (client.middlewareStack as HookableStack).addRelativeTo(
      (next, context) => async (args) => {
        hook(context.commandName ?? 'unknown');
        return next(args);
      },
      { relation: 'after', toMiddleware: 'retryMiddleware', name: 'cloudventoryTestAttemptHook' },
    );
    return client;
  };
  return { ...aws, [service]: instrumented } as AwsClients;
}
