import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package's root, so data folders are found from any working directory. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FINGERPRINTS_DIR = resolve(PACKAGE_ROOT, 'fingerprints');
export const FIXTURES_DIR = resolve(PACKAGE_ROOT, 'fixtures');
export const SCHEMA_DIR = resolve(PACKAGE_ROOT, 'src', 'report', 'schema');
