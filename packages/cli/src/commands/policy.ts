/**
 * `gatehouse policy validate | test | schema`: Cedar policies checked in CI
 * (issue 15 §3). Both checks exit 1 with every problem on its own line,
 * naming the file, line and policy id. The actions load on use: Cedar's
 * WebAssembly engine is not instantiated for every other command.
 */
import type { Command } from 'commander';

const DEFAULT_CONFIG = 'gatehouse.yaml';
const actions = () => import('../policy/actions.ts');

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('Cedar policies: validate them against the schema generated from gatehouse.yaml and run their test cases');

  policy
    .command('validate')
    .description('parse every policy file and validate it against the generated Cedar schema; exit 1 on any problem')
    .option('-c, --config <path>', 'the config file', DEFAULT_CONFIG)
    .action(async (flags: { config: string }) => (await actions()).validate(flags.config));

  policy
    .command('schema')
    .description('print the Cedar schema generated from the access model')
    .option('-c, --config <path>', 'the config file', DEFAULT_CONFIG)
    .action(async (flags: { config: string }) => (await actions()).schema(flags.config));

  policy
    .command('test')
    .argument('[cases...]', "cases files (default: each resource's policy.cases)")
    .description('run policy test cases (principal, action, resource, context → expected decision); exit 1 when any case fails')
    .option('-c, --config <path>', 'the config file', DEFAULT_CONFIG)
    .action(async (files: string[], flags: { config: string }) => (await actions()).test(files, flags.config));
}
