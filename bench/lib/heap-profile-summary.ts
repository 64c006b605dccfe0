/**
 * The top allocators of a sampling heap profile (lib/alloc-window.mjs), per
 * call: by the function that allocated (self), and by the nearest frame of
 * this repository's packages on its stack (which of our call sites, with
 * whatever node or a dependency allocated for it).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const OURS = /\/packages\/[^/]+\/dist\//;

const frameName = ({ functionName, url, lineNumber }: ProfileNode['callFrame']) =>
  `${functionName || '(anonymous)'} ${url.replace(/^file:\/\/.*?\/(packages|node_modules)\//, '$1/').replace(/^node:/, 'node:')}:${lineNumber + 1}`;

export function summarizeHeapProfile(file: string, calls: number, top = 25): void {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: ProfileNode };
  const self = new Map<string, number>();
  const ours = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode, nearestOurs: string | undefined) => {
    const name = frameName(node.callFrame);
    const here = OURS.test(node.callFrame.url) ? name : nearestOurs;
    if (node.selfSize > 0) {
      total += node.selfSize;
      self.set(name, (self.get(name) ?? 0) + node.selfSize);
      const key = here ?? '(outside our packages)';
      ours.set(key, (ours.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, here);
  };
  walk(head, undefined);
  const print = (title: string, map: Map<string, number>) => {
    console.log(`  ${title}:`);
    for (const [name, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`    ${(bytes / calls).toFixed(0).padStart(7)} B/call  ${((100 * bytes) / total).toFixed(1).padStart(5)}%  ${name}`);
  };
  console.log(`sampled heap profile: ${(total / calls / 1024).toFixed(1)} KB per call sampled (${file})`);
  print('by allocating function', self);
  print("by nearest frame of this repository's packages", ours);
}
