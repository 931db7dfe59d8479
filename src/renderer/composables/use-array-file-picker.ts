import { inject, type InjectionKey } from 'vue';

/**
 * Where a native file dialog plugs into the import form. The `datasets/import` request takes paths on the lab's
 * machine, so a picker only makes sense where the window and the lab share a machine: the Electron app. Its
 * preload exposes no dialog yet (the bridge carries `invoke` and `onEvent` only), so nothing provides this
 * today and the form asks for typed paths. When the bridge gains a dialog, main.ts provides a picker under
 * this key and each path field gets a Browse button that fills it.
 */
export interface ArrayFilePicker {
  /** Resolves with the chosen file's absolute path on the lab's machine, or null when the user cancels. */
  pickArrayFile(purpose: { field: string; title: string }): Promise<string | null>;
}

export const arrayFilePickerKey: InjectionKey<ArrayFilePicker> = Symbol('array-file-picker');

/** The native picker when this window has one; null in web mode and until the Electron bridge offers one. */
export function useArrayFilePicker(): ArrayFilePicker | null {
  return inject(arrayFilePickerKey, null);
}
