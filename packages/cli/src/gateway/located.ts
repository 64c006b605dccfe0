/** Issues at YAML paths → `file:line:col: path: message` (the same ConfigError `gatehouse apply` throws). */
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type LocatedIssue } from '../config/load.ts';
import { formatPath, locate } from '../config/locate.ts';
import { PolicyError } from '@gatehouse-auth/gateway';
import { yamlPath, type Issue } from './upstream-options.ts';

export function locatedError(file: string, text: string, issues: Issue[]): ConfigError {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  return new ConfigError(
    issues.map((issue): LocatedIssue => ({ file, ...locate(doc, counter, issue.path, issue.message.startsWith('unknown key')), path: formatPath(issue.path), message: issue.message })),
  );
}

/** A gateway PolicyError as the same ConfigError (paths in the YAML's own spelling); anything else unchanged. */
export function locatedPolicyError(file: string, text: string, error: unknown): unknown {
  if (!(error instanceof PolicyError)) return error;
  return locatedError(
    file,
    text,
    error.issues.map((issue) => ({ path: yamlPath(issue.path), message: issue.message })),
  );
}
