#!/usr/bin/env node
/** Entry of `bin/amphora-ctl` (and `node dist/controller/cli.js`): runs the program on the real process. */
import { runCtl } from './cli/program';

export { runCtl } from './cli/program';
export type { CliIo } from './cli/common';

/** Runs `amphora-ctl` on this process: real streams, SIGINT/SIGTERM stop `watch`, exits with the code. */
export function main(argv: string[]): void {
  const stopped = new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // exit once stdout has taken everything written (a pipe to `jq`, say)
  const exit = (code: number) => process.stdout.write('', () => process.exit(code));
  runCtl(argv, { stdout: process.stdout, stderr: process.stderr, stopped, env: process.env }).then(exit, (e) => {
    process.stderr.write(`amphora-ctl: ${(e as Error).message}\n`);
    exit(1);
  });
}

if (require.main === module) main(process.argv.slice(2));
