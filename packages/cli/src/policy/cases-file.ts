/**
 * Reads a policy cases file (cases.yaml). Every problem names the file and
 * line, like gatehouse.yaml's: a CI log must say where to look.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { PolicyCase } from '@gatehouse-auth/policy';
import { CliError } from '../cli/errors.ts';

const caseSchema = z.strictObject({
  name: z.string().min(1),
  principal: z.strictObject({
    user: z.string().min(1).optional(),
    roles: z.array(z.string()).default([]),
    org: z.string().optional(),
    scopes: z.array(z.string()).default([]),
    attributes: z.record(z.string(), z.unknown()).optional(),
    client: z.string().min(1).optional(),
    agent: z.strictObject({ kind: z.string().optional(), name: z.string().optional(), metadataHost: z.string().optional() }).optional(),
  }),
  action: z.string().regex(/^(tool|resource|prompt):.+$/, 'must be tool:<name>, resource:<uri> or prompt:<name>'),
  context: z.strictObject({
    time: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 instant such as 2026-03-02T10:00:00+01:00'),
    ip: z.string().optional(),
    reason: z.string().optional(),
    tenant: z.string().optional(),
    owner: z.string().optional(),
    ownerTeam: z.string().optional(),
  }),
  expect: z.enum(['allow', 'deny']),
  policies: z.array(z.string()).optional(),
});

const fileSchema = z.strictObject({ resource: z.string().optional(), cases: z.array(z.unknown()).min(1) });

export interface CasesFile {
  path: string;
  /** The protected resource the cases are for, when the file names one. */
  resource: string | undefined;
  cases: PolicyCase[];
}

export async function readCasesFile(path: string): Promise<CasesFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message}`);
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) throw new CliError(doc.errors.map((error) => `${path}:${counter.linePos(error.pos[0]).line}: ${error.message.split('\n')[0]}`).join('\n'));
  const top = fileSchema.safeParse(doc.toJS());
  if (!top.success) throw new CliError(`${path}: ${top.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`).join('; ')}`);
  const nodes = isMap(doc.contents) ? doc.contents.get('cases', true) : undefined;
  const lineOf = (index: number): number => {
    const node = isSeq(nodes) ? (nodes.items[index] as { range?: [number, number, number] } | undefined) : undefined;
    return node?.range ? counter.linePos(node.range[0]).line : 1;
  };
  const problems: string[] = [];
  const cases: PolicyCase[] = [];
  for (const [index, raw] of top.data.cases.entries()) {
    const parsed = caseSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((issue) => `${path}:${lineOf(index)}: cases[${index}].${issue.path.join('.')}: ${issue.message}`));
      continue;
    }
    cases.push({ ...parsed.data, line: lineOf(index) });
  }
  if (problems.length > 0) throw new CliError(problems.join('\n'));
  return { path, resource: top.data.resource, cases };
}
