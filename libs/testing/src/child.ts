import { join } from 'node:path';

/**
 * A `node -r` preload that compiles `.ts` files with SWC (the settings of jest.preset.js), so an
 * integration test can run a TypeScript fixture as a child process it may kill -9:
 * `spawn(process.execPath, ['-r', SWC_REGISTER, 'fixture.ts'])`.
 */
export const SWC_REGISTER = join(__dirname, '..', 'register-swc.js');
