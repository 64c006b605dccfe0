/** The `gatehouse` command tree: one file per command under commands/. */
import { Command } from 'commander';
import { registerDev } from '../commands/dev.ts';
import { registerServe } from '../commands/serve.ts';
import { registerMigrate } from '../commands/migrate.ts';
import { registerApply } from '../commands/apply.ts';
import { registerUsers } from '../commands/users.ts';
import { registerOrgs } from '../commands/orgs.ts';
import { registerMembers } from '../commands/members.ts';
import { registerRoles } from '../commands/roles.ts';
import { registerClients } from '../commands/clients.ts';
import { registerTokens } from '../commands/tokens.ts';
import { registerGrants } from '../commands/grants.ts';
import { registerAudit } from '../commands/audit.ts';
import { registerKeys } from '../commands/keys.ts';
import { registerScim } from '../commands/scim.ts';
import { registerPolicy } from '../commands/policy.ts';
import { registerGateway } from '../commands/gateway.ts';

export function buildProgram(): Command {
  const program = new Command('gatehouse')
    .description('Gatehouse: the OAuth 2.1 authorization server, audit log and admin tools for MCP servers')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError();
  for (const register of [
    registerDev,
    registerServe,
    registerMigrate,
    registerApply,
    registerUsers,
    registerOrgs,
    registerMembers,
    registerRoles,
    registerClients,
    registerTokens,
    registerGrants,
    registerKeys,
    registerAudit,
    registerScim,
    registerPolicy,
    registerGateway,
  ]) {
    register(program);
  }
  return program;
}
