import packageJson from '../../../package.json' with { type: 'json' };

/** P-DASH Lab's version, from package.json. */
export const labVersion: string = packageJson.version;
