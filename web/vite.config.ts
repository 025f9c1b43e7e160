import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // In development (vite dev) the API runs separately on port 3000.
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/readyz': 'http://127.0.0.1:3000', '/healthz': 'http://127.0.0.1:3000' } },
});
