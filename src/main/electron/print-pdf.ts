/**
 * PDF reports in the app: Electron's own Chromium prints them (webContents.printToPDF), so the app needs no
 * other browser. The report is self-contained HTML (inline SVG, no scripts); it is loaded into a hidden,
 * sandboxed window that may not navigate or run anything else.
 */
import { BrowserWindow } from 'electron';
import { secureWebPreferences } from './window.ts';

export async function printHtmlToPdf(html: string): Promise<Uint8Array> {
  const window = new BrowserWindow({ show: false, webPreferences: { ...secureWebPreferences, javascript: false } });
  try {
    await window.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
    const pdf = await window.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
    return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  } finally {
    window.destroy();
  }
}
