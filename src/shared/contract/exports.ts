import { z } from 'zod';

export const ReportFormat = z.enum(['html', 'pdf', 'md', 'latex', 'csv']);
export type ReportFormat = z.infer<typeof ReportFormat>;
export const ArchitectureFormat = z.enum(['json', 'tfjs', 'pytorch']);
export type ArchitectureFormat = z.infer<typeof ArchitectureFormat>;

/** A file an export produced, carried whole: text as UTF-8, binary (PDF, weights) as base64. */
export const ExportedFile = z.object({
  name: z.string(),
  mediaType: z.string(),
  encoding: z.enum(['utf8', 'base64']),
  content: z.string(),
  bytes: z.number().int().nonnegative(),
});
export type ExportedFile = z.infer<typeof ExportedFile>;

const experimentId = z.number().int().positive();

export const exportChannels = {
  'export/report': {
    summary: 'A comparison (an experiment, or any runs) as an HTML or PDF report, or its tables as Markdown, LaTeX or CSV.',
    request: z.union([
      z.object({ experiment: experimentId, format: ReportFormat }).strict(),
      z.object({ runs: z.array(z.number().int().positive()).min(1), format: ReportFormat }).strict(),
    ]),
    response: ExportedFile,
  },
  'export/architecture': {
    summary: "A run's chosen architecture as spec JSON, a TF.js layers model with its tested weights, or PyTorch source.",
    request: z.object({ run: z.number().int().positive(), format: ArchitectureFormat }).strict(),
    response: z.object({ files: z.array(ExportedFile).min(1) }),
  },
} as const;

export const exportEvents = {} as const;
