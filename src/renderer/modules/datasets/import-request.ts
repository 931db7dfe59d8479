/** The import form's fields and the `datasets/import` request they make, checked field by field. */
import type { RequestOf, TaskKind } from '../../../shared/contract/index.ts';

export type ImportRequest = RequestOf<'datasets/import'>;

export interface ImportFields {
  name: string;
  kind: TaskKind;
  trainX: string;
  trainY: string;
  hasValidation: boolean;
  valX: string;
  valY: string;
  testX: string;
  testY: string;
  /** Empty: inferred from the train labels. */
  classes: string;
  valFraction: string;
  seed: string;
}

export type ImportField = keyof ImportFields;

export const PATH_FIELDS = ['trainX', 'trainY', 'valX', 'valY', 'testX', 'testY'] as const;
export type PathField = (typeof PATH_FIELDS)[number];

export const pathFieldTitles: Record<PathField, string> = {
  trainX: 'Train inputs (x)',
  trainY: 'Train targets (y)',
  valX: 'Validation inputs (x)',
  valY: 'Validation targets (y)',
  testX: 'Test inputs (x)',
  testY: 'Test targets (y)',
};

export function emptyImportFields(): ImportFields {
  return { name: '', kind: 'classification', trainX: '', trainY: '', hasValidation: false, valX: '', valY: '', testX: '', testY: '', classes: '', valFraction: '0.1', seed: '0' };
}

export function buildImportRequest(fields: ImportFields): { ok: true; request: ImportRequest } | { ok: false; errors: Partial<Record<ImportField, string>> } {
  const errors: Partial<Record<ImportField, string>> = {};
  const name = fields.name.trim();
  if (name === '') errors.name = 'Name the dataset.';
  const required: PathField[] = fields.hasValidation ? ['trainX', 'trainY', 'valX', 'valY', 'testX', 'testY'] : ['trainX', 'trainY', 'testX', 'testY'];
  for (const field of required) if (fields[field].trim() === '') errors[field] = `${pathFieldTitles[field]}: give the file's path on the lab's machine.`;

  let classes: number | undefined;
  if (fields.kind === 'classification' && fields.classes.trim() !== '') {
    const text = fields.classes.trim();
    if (!/^\d+$/.test(text) || Number(text) < 1) errors.classes = 'Classes: a whole number of at least 1, or empty to count them from the train labels.';
    else classes = Number(text);
  }
  let valFraction = 0.1;
  let seed = 0;
  if (!fields.hasValidation) {
    valFraction = Number(fields.valFraction);
    if (fields.valFraction.trim() === '' || !(valFraction > 0 && valFraction < 1)) errors.valFraction = 'The validation fraction is between 0 and 1 (exclusive), e.g. 0.1.';
    const seedText = fields.seed.trim();
    if (!/^\d+$/.test(seedText)) errors.seed = 'The seed is a whole number from 0.';
    else seed = Number(seedText);
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const request: ImportRequest = {
    name,
    kind: fields.kind,
    trainX: fields.trainX.trim(),
    trainY: fields.trainY.trim(),
    testX: fields.testX.trim(),
    testY: fields.testY.trim(),
  };
  if (fields.hasValidation) {
    request.valX = fields.valX.trim();
    request.valY = fields.valY.trim();
  } else {
    request.valFraction = valFraction;
    request.seed = seed;
  }
  if (classes !== undefined) request.classes = classes;
  return { ok: true, request };
}
