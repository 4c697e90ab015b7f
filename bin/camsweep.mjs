#!/usr/bin/env node
// The package's bin. It loads the TypeScript sources through tsx so that `npx camsweep`
// works straight after `npm ci`, with no build step that could go stale.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
