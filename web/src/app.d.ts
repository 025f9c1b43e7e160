import type { Pathname } from '$app/types';

// What a page's `load` says when it fails (see https://svelte.dev/docs/kit/types#app.d.ts).
declare global {
  namespace App {
    interface Error {
      message: string;
      /** The heading of the error page when the page names what is missing ("Connection not found"). */
      title?: string;
      /** The way back from a missing object: the list it would be in. */
      back?: { path: Pathname; label: string };
    }
  }
}

export {};
