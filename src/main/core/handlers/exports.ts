import type { ExportedFile as ExportedFileDto } from '../../../shared/contract/index.ts';
import { exportArchitecture } from '../export/architecture/architecture-export.ts';
import type { ExportedFile } from '../export/exported-file.ts';
import { exportReport } from '../export/report-export.ts';
import type { LabServices } from '../lab-services.ts';
import type { HandlersOf } from './types.ts';

const TEXT_TYPES = /^(text\/|application\/(json|x-tex)$)/;

/** Text crosses the transports as is; binary files (PDF, weights) as base64. */
export function exportedFileDto(file: ExportedFile): ExportedFileDto {
  const text = TEXT_TYPES.test(file.mediaType);
  return {
    name: file.name,
    mediaType: file.mediaType,
    encoding: text ? 'utf8' : 'base64',
    content: text ? new TextDecoder().decode(file.data) : Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength).toString('base64'),
    bytes: file.data.byteLength,
  };
}

export function exportHandlers(core: LabServices): HandlersOf<'export/report' | 'export/architecture'> {
  return {
    'export/report': async ({ format, ...selection }) => exportedFileDto(await exportReport(core, selection, format, { env: process.env })),
    'export/architecture': async ({ run, format }) => ({ files: (await exportArchitecture(core, run, format)).map(exportedFileDto) }),
  };
}
