/** Issues at YAML paths → `file:line:col: path: message` (the same ConfigError `gatehouse apply` throws). */
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type LocatedIssue } from '../config/load.ts';
import { formatPath, locate } from '../config/locate.ts';
import type { Issue } from './upstream-options.ts';

export function locatedError(file: string, text: string, issues: Issue[]): ConfigError {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  return new ConfigError(
    issues.map((issue): LocatedIssue => ({ file, ...locate(doc, counter, issue.path, issue.message.startsWith('unknown key')), path: formatPath(issue.path), message: issue.message })),
  );
}
