import {pathToFileURL} from 'node:url';
import {chromium, type Browser, type Page} from 'playwright-core';

/** Headless Chromium as the report tests use it: the system's, no network of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Opens a report from file:// (with an address, when given) and waits until it is ready; script errors are collected. */
export async function openReport(browser: Browser, file: string, options: {width?: number; height?: number; hash?: string} = {}): Promise<{page: Page; errors: string[]; requests: string[]}> {
  const page = await browser.newPage({viewport: {width: options.width ?? 1400, height: options.height ?? 850}});
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', error => errors.push(error.message));
  page.on('request', request => requests.push(request.url()));
  await page.goto(pathToFileURL(file).href + (options.hash ?? ''));
  await page.waitForSelector('body[data-ready="true"]');
  return {page, errors, requests};
}
