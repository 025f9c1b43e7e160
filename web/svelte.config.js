import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** A single-page app: the API serves its shell for every page path and it routes in the browser. */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    // Lands as a <meta> in the prerendered shell, with the hash of its one inline script; the API
    // repeats it as a header on every answer, adding what a <meta> cannot carry (api/plugins/security-headers.ts).
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        // Style attributes are allowed (SvelteKit's route announcer and the shell's wrapper use
        // them; they cannot run code); <style> elements and stylesheets only from our own files.
        'style-src': ['self'],
        'style-src-attr': ['unsafe-inline'],
        // data: for the favicon placeholder and the MFA QR code (an SVG data URL).
        'img-src': ['self', 'data:'],
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['none'],
        'form-action': ['self'],
      },
    },
  },
};
