/**
 * A real browser for end-to-end tests: Debian's Chromium driven by
 * playwright-core, and an app served over real HTTP on a free port.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import type { UserConfig } from '../../src/config/types.js';
import { type TestApp, testApp } from '../harness.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface ServedApp extends TestApp {
  origin: string;
}

/** An app with a `public` folder holding `pages`, listening on 127.0.0.1. */
export async function serveApp(config: UserConfig, pages: Record<string, string>): Promise<ServedApp> {
  const publicDir = join((await import('node:os')).tmpdir(), `methodical-e2e-${process.pid}-${Date.now()}`);
  mkdirSync(publicDir, { recursive: true });
  for (const [name, html] of Object.entries(pages)) writeFileSync(join(publicDir, name), html);
  const t = await testApp({ ...config, public: publicDir });
  const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
  return { ...t, origin: address };
}
