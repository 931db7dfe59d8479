/** A file an exporter produced: the CLI writes it to disk; the app downloads it. */
export interface ExportedFile {
  name: string;
  mediaType: string;
  data: Uint8Array;
}
