/** `gatehouse audit keygen`, `checkpoint` and `prune`: the commands that sign. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AuditLog, canonicalJson, pruneExpired } from '@gatehouse-auth/audit';
import { printResult, printRows, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { chainOf, chainsOf, DB, KEY, signerOf, withAuditStore, writeAuditKeyPair, type ChainFlags } from './audit-support.ts';

type Flags = DatabaseOptions & OutputOptions & ChainFlags & { key?: string };

export function registerAuditKeys(audit: Command): void {
  audit
    .command('keygen')
    .description('create an Ed25519 checkpoint signing key: <out> (private, 0600) and <out>.pub (public, give it to verifiers)')
    .requiredOption('--out <file>', 'where to write the private key (PKCS#8 PEM)')
    .option('--json', 'print JSON')
    .action((flags: OutputOptions & { out: string }) => {
      const { signer, publicPem } = writeAuditKeyPair(flags.out);
      printResult(flags, `wrote ${flags.out} and ${flags.out}.pub (kid ${signer.kid})\n${publicPem.trimEnd()}`, {
        kid: signer.kid,
        privateKeyFile: flags.out,
        publicKeyFile: `${flags.out}.pub`,
        publicKey: publicPem,
      });
    });

  audit
    .command('checkpoint')
    .description('sign the current head of every chain (or one) and optionally export all checkpoints as JSON Lines')
    .option('--org <slug>', "only this organization's chain")
    .option('--system', 'only the _system chain')
    .option('--export <file>', 'also write every signed checkpoint to this file (keep it off the box)')
    .option(...KEY)
    .option(...DB)
    .option('--json', 'print JSON')
    .action((flags: Flags & { export?: string }) =>
      withAuditStore(flags, async (store) => {
        const log = new AuditLog({ store: store.audit, signer: signerOf(flags, true), checkpointEvery: { ms: 0 } });
        const made = [];
        for (const chain of await chainsOf(store, flags)) {
          const checkpoint = await log.checkpoint(chain);
          if (checkpoint) made.push(checkpoint);
        }
        await log.close();
        if (flags.export !== undefined) {
          const lines = [];
          for (const chain of await store.audit.chains()) for (const c of await store.audit.checkpoints(chain)) lines.push(canonicalJson({ checkpoint: c }));
          writeFileSync(flags.export, lines.map((l) => `${l}\n`).join(''));
        }
        printRows(flags, made, [
          ['chain', (c) => c.chain],
          ['seq', (c) => c.seq],
          ['hash', (c) => c.hash],
          ['kid', (c) => c.kid],
          ['at', (c) => c.at],
        ]);
      }),
    );

  audit
    .command('prune')
    .description("apply each organization's audit retention (the only deletion; signed cut + an audit.pruned record)")
    .option('--org <slug>', 'only this organization')
    .option('--system-retention-days <days>', 'also prune the _system chain to this many days')
    .option(...KEY)
    .option(...DB)
    .option('--json', 'print JSON')
    .action((flags: Flags & { systemRetentionDays?: string }) =>
      withAuditStore(flags, async (store) => {
        const systemDays = flags.systemRetentionDays === undefined ? null : Number(flags.systemRetentionDays);
        if (systemDays !== null && !(Number.isInteger(systemDays) && systemDays > 0)) throw new CliError('--system-retention-days must be a positive integer');
        const orgs = flags.org === undefined ? await store.orgs.list() : [(await store.orgs.get(await chainOf(store, flags)))!];
        const log = new AuditLog({ store: store.audit, signer: signerOf(flags, true), checkpointEvery: { ms: 0 } });
        const pruned = await pruneExpired(log, orgs, Date.now(), systemDays);
        await log.close();
        printRows(flags, pruned, [
          ['chain', (p) => p.chain],
          ['deleted', (p) => p.deleted],
        ]);
      }),
    );
}
