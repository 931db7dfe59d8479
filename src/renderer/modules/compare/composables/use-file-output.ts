import type { ExportedFile } from '../../../../shared/contract/index.ts';

/** The bytes of an exported file as the transport carried them (text as UTF-8, binary as base64). */
export function fileBytes(file: ExportedFile): Uint8Array<ArrayBuffer> {
  if (file.encoding === 'utf8') return new TextEncoder().encode(file.content) as Uint8Array<ArrayBuffer>;
  const binary = atob(file.content);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Hands a file to the browser's (or Electron's) download, under its own name. */
export function saveFile(file: ExportedFile): void {
  const url = URL.createObjectURL(new Blob([fileBytes(file)], { type: file.mediaType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.name;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken its copy once click() returns; the URL can go at the next turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * Prints an HTML report with the browser's print dialog (where "Save as PDF" is one destination), from a hidden
 * frame so that the app's page is not what gets printed.
 */
export function printHtml(html: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    frame.setAttribute('aria-hidden', 'true');
    frame.style.cssText = 'position:fixed;right:0;bottom:0;width:0;height:0;border:0;visibility:hidden';
    frame.addEventListener('load', () => {
      const view = frame.contentWindow;
      if (view === null) {
        frame.remove();
        reject(new Error('The print frame did not open.'));
        return;
      }
      view.addEventListener('afterprint', () => frame.remove(), { once: true });
      view.focus();
      view.print();
      resolve();
    }, { once: true });
    frame.srcdoc = html;
    document.body.append(frame);
  });
}
