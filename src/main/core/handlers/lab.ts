import type { LabServices } from '../lab-services.ts';
import type { HandlersOf } from './types.ts';
import { labVersion } from '../version.ts';

export function labHandlers(core: LabServices): HandlersOf<'lab/info'> {
  return {
    'lab/info': async () => ({
      version: labVersion,
      labDir: core.paths.root,
      frontDoor: core.frontDoor,
      compute: await core.computeAll(),
      sqliteVersion: core.sqliteVersion,
      schemaVersion: core.schemaVersion,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
    }),
  };
}
