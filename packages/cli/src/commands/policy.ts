/**
 * `gatehouse policy validate | test | schema`: Cedar policies checked in CI
 * (issue 15 §3). Both checks exit 1 with every problem on its own line,
 * naming the file, line and policy id.
 */
import type { Command } from 'commander';
import { PolicyError, runPolicyCase, cedarSchema, type CaseResult } from '@gatehouse-auth/policy';
import { resolve } from 'node:path';
import { CliError } from '../cli/errors.ts';
import { loadConfigFile } from '../config/load.ts';
import { readCasesFile } from '../policy/cases-file.ts';
import { describeProblems, engineFor, projectsOf, shown } from '../policy/projects.ts';

interface ConfigFlags {
  config: string;
}

const DEFAULT_CONFIG = 'gatehouse.yaml';

/** Turns policy problems into the CLI's one-message failure. */
function checked<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof PolicyError) throw new CliError(`the policies do not validate:\n${describeProblems(error)}`);
    throw error;
  }
}

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('Cedar policies: validate them against the schema generated from gatehouse.yaml and run their test cases');

  policy
    .command('validate')
    .description('parse every policy file and validate it against the generated Cedar schema; exit 1 on any problem')
    .option('-c, --config <path>', 'the config file', DEFAULT_CONFIG)
    .action(async (flags: ConfigFlags) => {
      const config = await loadConfigFile(flags.config);
      for (const project of projectsOf(config, flags.config)) {
        const engine = checked(() => engineFor(project));
        process.stdout.write(`${project.resource}: ${engine.policyIds.length} policies in ${project.files.map(shown).join(', ')} are valid\n`);
      }
    });

  policy
    .command('schema')
    .description('print the Cedar schema generated from the access model')
    .option('-c, --config <path>', 'the config file', DEFAULT_CONFIG)
    .action(async (flags: ConfigFlags) => {
      const config = await loadConfigFile(flags.config);
      for (const project of projectsOf(config, flags.config)) process.stdout.write(`// ${project.resource}\n${cedarSchema(project.model)}`);
    });

  policy
    .command('test')
    .argument('[cases...]', "cases files (default: each resource's policy.cases)")
    .description('run policy test cases (principal, action, resource, context → expected decision); exit 1 when any case fails')
    .option('-c, --config <path>', 'the config file', DEFAULT_CONFIG)
    .action(async (files: string[], flags: ConfigFlags) => {
      const config = await loadConfigFile(flags.config);
      const projects = projectsOf(config, flags.config);
      const paths = files.length > 0 ? files.map((file) => resolve(file)) : projects.flatMap((project) => (project.cases ? [project.cases] : []));
      if (paths.length === 0) throw new CliError('no cases file given and no resource names one (resources[].policy.cases)');
      const failures: string[] = [];
      let total = 0;
      for (const path of paths) {
        const cases = await readCasesFile(path);
        const project =
          cases.resource !== undefined ? projects.find((p) => p.resource === cases.resource) : (projects.find((p) => p.cases === path) ?? (projects.length === 1 ? projects[0] : undefined));
        if (!project) throw new CliError(`${shown(path)}: name the resource the cases are for (resource: <uri>); the config has ${projects.length} with policies`);
        const engine = checked(() => engineFor(project));
        for (const testCase of cases.cases) {
          const result: CaseResult = runPolicyCase(engine, testCase);
          total++;
          const where = `${shown(path)}:${testCase.line ?? 1}`;
          if (result.passed) process.stdout.write(`ok    ${testCase.name} (${result.decision}${result.policies.length ? ` by ${result.policies.join(', ')}` : ''})\n`);
          else {
            process.stdout.write(`FAIL  ${testCase.name}\n`);
            failures.push(`${where}: case "${testCase.name}": ${result.failure}`);
          }
        }
      }
      if (failures.length > 0) throw new CliError(`${failures.length} of ${total} policy cases failed:\n${failures.join('\n')}`);
      process.stdout.write(`${total} policy cases passed\n`);
    });
}
