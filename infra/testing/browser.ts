import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Debian's Chromium, headless, with nothing that would reach for the network on its own.
 * Playwright gives each launch a fresh temporary profile.
 */
export async function launchBrowser(): Promise<{ browser?: Browser; reason?: string }> {
  if (!existsSync(executablePath)) {
    const reason = `Chromium not found at ${executablePath} (apt-get install chromium)`;
    if (process.env.CI === 'true') throw new Error(`${reason}; under CI=true .ci/run must install it`);
    return { reason };
  }
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { browser };
}
