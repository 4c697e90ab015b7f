/** Lab responders by protocol config file (see ./types.ts). Add a responder here. */
import type { Responder } from './types.ts';

export const RESPONDERS: readonly Responder[] = [];
