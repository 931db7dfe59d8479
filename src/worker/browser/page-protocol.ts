/**
 * The data requests of an engine page whose host answers over its bridge (Electron's hidden window), and their
 * replies. Files are named as the job's dataset names them; the host answers only for the files of the job it
 * sent and for that job's checkpoint.
 */
import type { SerializedLabError } from '../../shared/errors.ts';

export type PageRequest =
  | { op: 'size'; file: string }
  | { op: 'read'; file: string; offset: number; length: number }
  | { op: 'write-checkpoint'; bytes: Uint8Array }
  | { op: 'read-checkpoint' }
  | { op: 'usage' };

export type PageReply = { ok: true; value: unknown } | { ok: false; error: SerializedLabError };

export function isPageReply(value: unknown): value is PageReply {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof (value as { ok: unknown }).ok === 'boolean';
}
