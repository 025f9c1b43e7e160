// `npm run contract`: writes the web app's copy of the API contract (web/src/lib/contract.ts) from
// the OpenAPI document the API builds. `npm test` checks that the file is current.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { CONTRACT_FILE, currentContract } from './contract-file.ts';

const source = await currentContract();
const before = (() => {
  try {
    return readFileSync(CONTRACT_FILE, 'utf8');
  } catch {
    return undefined;
  }
})();
const name = relative(process.cwd(), CONTRACT_FILE);
if (before === source) console.log(`${name} is current`);
else {
  writeFileSync(CONTRACT_FILE, source);
  console.log(`${name} written from the API's OpenAPI document`);
}
