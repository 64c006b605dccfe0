/** The actions of `gatehouse policy` (commands/policy.ts registers them). */
import { resolve } from 'node:path';
import { cedarSchema, PolicyError, runPolicyCase } from '@gatehouse-auth/policy';
import { CliError } from '../cli/errors.ts';
import { loadConfigFile } from '../config/load.ts';
import { readCasesFile } from './cases-file.ts';
import { describeProblems, engineFor, projectsOf, shown } from './projects.ts';

/** Turns policy problems into the CLI's one-message failure. */
function checked<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof PolicyError) throw new CliError(`the policies do not validate:\n${describeProblems(error)}`);
    throw error;
  }
}

export async function validate(configPath: string): Promise<void> {
  const config = await loadConfigFile(configPath);
  for (const project of projectsOf(config, configPath)) {
    const engine = checked(() => engineFor(project));
    process.stdout.write(`${project.resource}: ${engine.policyIds.length} policies in ${project.files.map(shown).join(', ')} are valid\n`);
  }
}

export async function schema(configPath: string): Promise<void> {
  const config = await loadConfigFile(configPath);
  for (const project of projectsOf(config, configPath)) process.stdout.write(`// ${project.resource}\n${cedarSchema(project.model)}`);
}

export async function test(files: string[], configPath: string): Promise<void> {
  const config = await loadConfigFile(configPath);
  const projects = projectsOf(config, configPath);
  const paths = files.length > 0 ? files.map((file) => resolve(file)) : projects.flatMap((project) => (project.cases ? [project.cases] : []));
  if (paths.length === 0) throw new CliError('no cases file given and no resource names one (resources[].policy.cases)');
  const failures: string[] = [];
  let total = 0;
  for (const path of paths) {
    const cases = await readCasesFile(path);
    const project = cases.resource !== undefined ? projects.find((p) => p.resource === cases.resource) : (projects.find((p) => p.cases === path) ?? (projects.length === 1 ? projects[0] : undefined));
    if (!project) throw new CliError(`${shown(path)}: name the resource the cases are for (resource: <uri>); the config has ${projects.length} with policies`);
    const engine = checked(() => engineFor(project));
    for (const testCase of cases.cases) {
      const result = runPolicyCase(engine, testCase);
      total++;
      if (result.passed) {
        process.stdout.write(`ok    ${testCase.name} (${result.decision}${result.policies.length ? ` by ${result.policies.join(', ')}` : ''})\n`);
      } else {
        process.stdout.write(`FAIL  ${testCase.name}\n`);
        failures.push(`${shown(path)}:${testCase.line ?? 1}: case "${testCase.name}": ${result.failure}`);
      }
    }
  }
  if (failures.length > 0) throw new CliError(`${failures.length} of ${total} policy cases failed:\n${failures.join('\n')}`);
  process.stdout.write(`${total} policy cases passed\n`);
}
