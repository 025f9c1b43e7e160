import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT_FILE, currentContract } from './contract-file.ts';

/** Where two texts first part, as `line N: "…" here, "…" from the API`. */
function firstDifference(checkedIn: string, generated: string): string {
  const a = checkedIn.split('\n');
  const b = generated.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: ${JSON.stringify(a[at] ?? '(end of file)')} here, ${JSON.stringify(b[at] ?? '(end of file)')} from the API`;
}

describe("the web app's copy of the API contract", () => {
  it('is what the API documents now', async () => {
    const generated = await currentContract();
    const checkedIn = (() => {
      try {
        return readFileSync(CONTRACT_FILE, 'utf8');
      } catch {
        return '';
      }
    })();
    const name = relative(process.cwd(), CONTRACT_FILE);
    if (checkedIn !== generated) expect.fail(`${name} is not what the API documents: run npm run contract (first difference at ${firstDifference(checkedIn, generated)})`);
  });
});
