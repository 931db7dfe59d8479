/**
 * Text taken from a file (a header, a cell, a name) made fit for a one-line error message: control characters,
 * which could end the line or drive the user's terminal (ESC sequences), are escaped, and long text is cut.
 */
export function printable(text: string, max = Infinity): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
