// `npm start`: builds the web app if it is missing or older than its sources, then runs
// Cloudventory (API, web app and projections in one process) with TypeScript loaded by tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { register } from 'tsx/esm/api';

const root = resolve(import.meta.dirname, '..');
const web = join(root, 'web');
const builtAt = (() => {
  const shell = join(web, 'build', 'index.html');
  return existsSync(shell) ? statSync(shell).mtimeMs : 0;
})();

function newestSource(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestSource(join(path, name))));
}

const sources = [join(web, 'src'), join(web, 'svelte.config.js'), join(web, 'vite.config.ts')];
if (builtAt < Math.max(...sources.map(newestSource))) {
  console.log('Building the web app (first start, or its sources changed)…');
  const build = spawnSync('npm', ['run', '--silent', 'build:web'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('Cloudventory cannot start: the web app did not build (see above).');
    process.exit(1);
  }
}

register();
// The composition root (api/main.ts builds every store, projection and worker in api/server.ts).
await import('../api/main.ts');
