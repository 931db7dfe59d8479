import { inject, type InjectionKey } from 'vue';

/**
 * Where a file picker plugs into the import form. The `datasets/import` request takes paths on the lab's
 * machine; main.ts provides the upload picker (api/upload-picker.ts), which lets the user choose a file in the
 * browser's dialog and stages it in the lab folder, answering with its path there. A native dialog for the
 * Electron app would be provided under the same key. Each path field gets a Browse button that fills it.
 */
export interface ArrayFilePicker {
  /** Resolves with the chosen file's absolute path on the lab's machine, or null when the user cancels. */
  pickArrayFile(purpose: { field: string; title: string }): Promise<string | null>;
}

export const arrayFilePickerKey: InjectionKey<ArrayFilePicker> = Symbol('array-file-picker');

/** The picker this window was given, or null (tests, or a window with none). */
export function useArrayFilePicker(): ArrayFilePicker | null {
  return inject(arrayFilePickerKey, null);
}
