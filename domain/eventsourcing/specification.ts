import { deepStrictEqual, fail } from 'node:assert/strict';
import { isAppError, type ErrorCode } from '../errors.ts';
import type { Decider, DomainEvent } from './decider.ts';

/**
 * Decider tests read as specifications:
 * `given(decider, [events]).when(command).then([events])` or `.thenThrows('CONFLICT')`.
 */
export function given<Command, Event extends DomainEvent, State>(decider: Decider<Command, Event, State>, history: Event[]) {
  return {
    when(command: Command) {
      const run = () => decider.decide(command, history.reduce(decider.evolve, decider.initialState()));
      return {
        then(expected: Event[]): void {
          deepStrictEqual(run(), expected);
        },
        thenThrows(code: ErrorCode, message?: RegExp): void {
          try {
            run();
          } catch (error) {
            if (!isAppError(error)) throw error;
            deepStrictEqual(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
            if (message && !message.test(error.message)) fail(`message "${error.message}" does not match ${message}`);
            return;
          }
          fail(`expected the command to fail with ${code}`);
        },
      };
    },
  };
}
