import type { ProbeSettings } from './types.ts';

/** Every default-on probe, nothing opt-in, no credentials. */
export const DEFAULT_SETTINGS: ProbeSettings = { enabled: new Set(), disabled: new Set() };
