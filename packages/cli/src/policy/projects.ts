/** The Cedar policy projects of a config file: one per resource with a `policy:` block, with its engine. */
import { CedarEngine, formatProblem, parsePolicyFiles, policyProjects, readPolicyFiles, type PolicyError, type PolicyProject, type PolicySource } from '@gatehouse-auth/policy';
import { relative } from 'node:path';
import { CliError } from '../cli/errors.ts';
import type { GatehouseConfig } from '../config/schema.ts';

export function projectsOf(config: GatehouseConfig, configPath: string): PolicyProject[] {
  const projects = policyProjects(config, configPath);
  if (projects.length === 0) throw new CliError(`${configPath}: no resource declares policies (resources[].policy.files)`);
  return projects;
}

/** Paths as a person at the terminal would write them. */
export const shown = (path: string): string => relative(process.cwd(), path) || path;

export function loadSource(project: PolicyProject): PolicySource {
  let files;
  try {
    files = readPolicyFiles(project.files).map((file) => ({ ...file, path: shown(file.path) }));
  } catch (error) {
    throw new CliError(`${project.resource}: ${(error as Error).message}`);
  }
  return parsePolicyFiles(files);
}

/** Parses and validates a project's policies against its generated schema; throws PolicyError listing every problem. */
export function engineFor(project: PolicyProject): CedarEngine {
  return new CedarEngine({ source: loadSource(project), model: project.model, timeZone: project.timeZone, environment: project.environment });
}

export const describeProblems = (error: PolicyError): string => error.problems.map(formatProblem).join('\n');
