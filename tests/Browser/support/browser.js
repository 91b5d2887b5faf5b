// Debian's Chromium (/usr/bin/chromium) driven by playwright-core: no browser download, which cannot work here.

import { chromium } from 'playwright-core';

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Playwright adds --headless and a fresh temporary --user-data-dir per launch itself.
const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Generous: the machine may be busy with other builds, and waits end as soon as the page is ready anyway. */
export const uiTimeoutMs = 20_000;

export function launchBrowser() {
  return chromium.launch({ executablePath, headless: true, args });
}

/**
 * A new tab of its own (own context: own cookies, own connection pool) on the chat page. Uncaught page errors
 * are collected in `page.errors`; tests check it stays empty. What the page and the browser write to its console
 * is kept in `page.consoleLines`.
 */
export async function openPage(browser, url, { viewport = { width: 1000, height: 700 }, routes } = {}) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(uiTimeoutMs);
  await routes?.(context);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error));
  page.consoleLines = [];
  page.on('console', (message) => page.consoleLines.push(`${message.type()}: ${message.text()}`));
  await page.goto(url);
  return page;
}
