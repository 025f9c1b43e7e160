import { goto } from '$app/navigation';
import { resolve } from '$app/paths';
import { page } from '$app/state';
import { tick } from 'svelte';
import { ApiError } from './api';

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Sends the visitor to sign in, remembering the page they were on. */
export async function signInAgain(): Promise<void> {
  const here = `${page.url.pathname}${page.url.search}`;
  await goto(resolve(`/login?next=${encodeURIComponent(here)}`), { invalidateAll: true });
}

/**
 * The state every form shares: busy while the request runs, the API's problems tied to the form's
 * inputs (by `details[].path`), and everything else as one general message.
 */
export class FormState {
  busy = $state(false);
  error = $state<string>();
  fields = $state<Record<string, string>>({});

  constructor(
    private readonly inputs: readonly string[],
    private readonly options: { redirectWhenSignedOut?: boolean; idPrefix?: string } = {},
  ) {}

  /** Runs the action unless one is running; answers whether it succeeded. */
  async run(action: () => Promise<void>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = undefined;
    this.fields = {};
    try {
      await action();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && this.options.redirectWhenSignedOut !== false) {
        await signInAgain();
        return false;
      }
      this.fail(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  fail(error: unknown): void {
    if (!(error instanceof ApiError)) {
      this.error = 'Something went wrong. Please try again.';
      return;
    }
    const fields: Record<string, string> = {};
    const reported = Object.entries(error.fields);
    for (const [name, message] of reported) if (this.inputs.includes(name)) fields[name] = capitalise(message);
    // One problem with one input: the API's own sentence says it best, unless it is the generic "Invalid body: …".
    const only = reported.length === 1 ? reported[0] : undefined;
    if (only && only[0] in fields && !/^Invalid /.test(error.message)) fields[only[0]] = error.message;
    this.fields = fields;
    this.error = Object.keys(fields).length === reported.length && reported.length > 0 ? undefined : error.message;
    // Focus the first input with a problem: a screen reader then reads its label and its error.
    const first = this.inputs.find((name) => name in fields);
    if (first) void tick().then(() => document.getElementById(`${this.options.idPrefix ?? ''}${first}`)?.focus());
  }

  clear(): void {
    this.error = undefined;
    this.fields = {};
  }
}

/** A readable message for any failure outside a form. */
export function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : 'Something went wrong. Please try again.';
}
