import { ApiError } from '$lib/api';
import { messageOf, signInAgain } from '$lib/form.svelte';

/**
 * A view's loading state when its inputs change faster than the API answers (a slider dragged, a
 * filter applied twice): only the latest load may show its results or its error.
 */
export class LatestLoad {
  busy = $state(false);
  error = $state<string>();
  #ticket = 0;

  /** Runs `load`, which applies its results only while `current()` is true. */
  async run(load: (current: () => boolean) => Promise<void>): Promise<void> {
    const ticket = ++this.#ticket;
    const current = () => ticket === this.#ticket;
    this.busy = true;
    this.error = undefined;
    try {
      await load(current);
    } catch (error) {
      if (!current()) return;
      if (error instanceof ApiError && error.status === 401) {
        await signInAgain();
        return;
      }
      this.error = messageOf(error);
    } finally {
      if (current()) this.busy = false;
    }
  }
}
