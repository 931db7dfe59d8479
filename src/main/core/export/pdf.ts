/**
 * PDF from the HTML report, printed by a Chromium the machine already has (driven through playwright-core,
 * which never downloads a browser): $PDASH_CHROMIUM, else the usual install paths. Without one, a clear error
 * that says how to get one or how to print the HTML report instead.
 */
import { existsSync } from 'node:fs';
import { LabError } from '../../../shared/errors.ts';

const CANDIDATES: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'],
  darwin: ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'],
  win32: ['C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', 'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe'],
};

const NO_CHROMIUM_HINT =
  'Install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`) or set PDASH_CHROMIUM to a Chrome or Chromium executable; or export --format html and print it to PDF from a browser.';

/** The Chromium to print with, or a LabError saying how to get one. */
export function findChromium(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const chosen = env.PDASH_CHROMIUM?.trim();
  if (chosen) {
    if (!existsSync(chosen)) throw new LabError('unavailable', `PDASH_CHROMIUM is set to ${chosen}, which does not exist.`, NO_CHROMIUM_HINT);
    return chosen;
  }
  const found = (CANDIDATES[platform] ?? []).find((path) => existsSync(path));
  if (found === undefined) throw new LabError('unavailable', 'No Chromium or Chrome was found to print the PDF with.', NO_CHROMIUM_HINT);
  return found;
}

export async function htmlToPdf(html: string, env: NodeJS.ProcessEnv): Promise<Uint8Array> {
  const executablePath = findChromium(env);
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (error) {
    throw new LabError('unavailable', `playwright-core, which drives Chromium to print PDFs, cannot be loaded: ${error instanceof Error ? error.message : String(error)}`, 'Reinstall the lab\'s dependencies (`npm install`), or export --format html and print it from a browser.');
  }
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    // The report has no external resources: nothing is fetched.
    await page.setContent(html, { waitUntil: 'load' });
    return new Uint8Array(await page.pdf({ format: 'A4', printBackground: true, margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' } }));
  } finally {
    await browser.close();
  }
}
