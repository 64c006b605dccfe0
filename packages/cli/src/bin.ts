#!/usr/bin/env node
/**
 * The `gatehouse` executable. Mistakes a person can fix end in one line on
 * stderr and exit code 1; a stack trace appears only with GATEHOUSE_DEBUG=1.
 */
import { buildProgram } from './cli/program.ts';
import { CliError } from './cli/errors.ts';
import { ConfigError } from './config/load.ts';
import { ApplyError } from './config/apply-clients.ts';

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof CliError || error instanceof ApplyError) {
    process.stderr.write(`gatehouse: ${error.message}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`gatehouse: ${message.split('\n')[0]}\n`);
    if (process.env.GATEHOUSE_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
  }
  process.exitCode = 1;
}
