import { describe, expect, it } from 'vitest';
import { cedarPolicy, PolicyError, REASON_META_KEY, type DecisionLike } from '../../src/index.ts';
import { berlin, companyModel, examplePolicyFiles, user } from './support.ts';

const context = (time: number, ip = '10.1.2.3') => ({ time, ip, userAgent: undefined, resource: 'http://127.0.0.1:4001/mcp' });
const privateRecord = (reason?: string) => ({
  kind: 'tool' as const,
  name: 'employee_information_private',
  arguments: { employee_id: 'e-102' },
  ...(reason ? { meta: { [REASON_META_KEY]: reason } } : {}),
});

const companyPolicy = () =>
  cedarPolicy({
    policies: examplePolicyFiles(),
    model: companyModel(),
    timeZone: 'Europe/Berlin',
    userAttributes: (principal) => (principal.subject === 'usr_sam' ? { team: 'Support' } : undefined),
    ownership: (operation) => ({ ownerTeam: operation.arguments.ticketId === 'T-1' ? 'Support' : 'Billing' }),
  });

describe('Cedar policies as the SDK policy hook', () => {
  it('permits a private record at 10:00 Berlin time with a reason, naming the permit and the inputs it read', async () => {
    const decision = await companyPolicy()(user(['HR']), privateRecord('annual review'), context(berlin('10:00')));
    expect(decision).toEqual({ allow: true, policies: ['members-use-consented-tools'], inputs: {} });
  });

  it('forbid wins: the same call at 22:00 is denied by the business-hours policy, with the hour it read', async () => {
    const decision = await companyPolicy()(user(['HR']), privateRecord('annual review'), context(berlin('22:00')));
    expect(decision.allow).toBe(false);
    expect(decision).toMatchObject({ reason: expect.stringContaining('Monday to Friday'), policies: ['private-records-business-hours'], inputs: { 'context.hour': 22, 'context.weekday': 1 } });
  });

  it('denies a private record without a stated reason (_meta io.gatehouse/reason), and a blank reason is no reason', async () => {
    const policy = companyPolicy();
    for (const operation of [privateRecord(), privateRecord('   ')]) {
      const decision = await policy(user(['HR']), operation, context(berlin('10:00')));
      expect(decision).toMatchObject({ allow: false, policies: ['private-records-need-reason'] });
    }
  });

  it('reads time in the configured zone: 08:30 UTC is 09:30 in Berlin', async () => {
    const decision = await companyPolicy()(user(['HR']), privateRecord('payroll'), context(Date.parse('2026-03-02T08:30:00Z')));
    expect(decision.allow).toBe(true);
  });

  it('denies on Saturday at 10:00', async () => {
    const decision = await companyPolicy()(user(['HR']), privateRecord('payroll'), context(Date.parse('2026-03-07T10:00:00+01:00')));
    expect(decision).toMatchObject({ allow: false, policies: ['private-records-business-hours'], inputs: { 'context.weekday': 6 } });
  });

  it('revenue only from the company network: 10.0.0.0/8 and loopback (also IPv4-mapped) pass, a public address and an unknown address do not', async () => {
    const policy = companyPolicy();
    const revenue = { kind: 'tool' as const, name: 'revenue_report', arguments: {} };
    const decide = (ip: string | undefined): Promise<DecisionLike> => Promise.resolve(policy(user(['Management']), revenue, { ...context(berlin('10:00')), ip }));
    expect((await decide('10.20.30.40')).allow).toBe(true);
    expect((await decide('::ffff:127.0.0.1')).allow).toBe(true);
    const outside = await decide('203.0.113.9');
    expect(outside).toMatchObject({ allow: false, policies: ['revenue-from-company-network'], inputs: { 'context.ip': '203.0.113.9' } });
    expect((await decide(undefined)).allow).toBe(false);
  });

  it("Support updates only its team's tickets", async () => {
    const policy = companyPolicy();
    const sam = user(['Support'], 'usr_sam');
    const update = (ticketId: string) => ({ kind: 'tool' as const, name: 'update_ticket', arguments: { ticketId } });
    expect((await policy(sam, update('T-1'), context(berlin('10:00')))).allow).toBe(true);
    expect(await policy(sam, update('T-2'), context(berlin('10:00')))).toMatchObject({
      allow: false,
      policies: ['support-updates-own-team-tickets'],
      inputs: { 'context.ownerTeam': 'Billing', 'principal.team': 'Support' },
    });
  });

  it('denies by default: an agent acting as itself has no permit, and a tool missing from the model is named', async () => {
    const policy = companyPolicy();
    const agent = { ...user([]), subject: 'client:bot', kind: 'service' as const, clientId: 'bot' };
    expect(await policy(agent, { kind: 'tool', name: 'list_tickets', arguments: {} }, context(berlin('10:00')))).toMatchObject({
      allow: false,
      reason: 'no policy permits tool:list_tickets',
      policies: [],
    });
    expect(await policy(user(['HR']), { kind: 'tool', name: 'drop_database', arguments: {} }, context(berlin('10:00')))).toMatchObject({
      allow: false,
      reason: expect.stringContaining('drop_database'),
    });
  });

  it('denies when the agent resolver returns what the schema would refuse (Cedar itself evaluates without the schema)', async () => {
    const policy = cedarPolicy({ policies: examplePolicyFiles(), model: companyModel(), timeZone: 'Europe/Berlin', agent: () => ({ kind: 42 as unknown as string, name: 'bot' }) });
    expect(await policy(user(['HR']), { kind: 'tool', name: 'list_tickets', arguments: {} }, context(berlin('10:00')))).toMatchObject({ allow: false, reason: 'the authorization policy failed' });
  });

  it('keeps no decision across callers: the same tool is decided afresh for each principal and time', async () => {
    const policy = companyPolicy();
    const results = [];
    for (const [hour, reason] of [
      ['10:00', 'a'],
      ['22:00', 'a'],
      ['10:00', undefined],
      ['10:00', 'b'],
    ] as const)
      results.push((await policy(user(['HR']), privateRecord(reason), context(berlin(hour)))).allow);
    expect(results).toEqual([true, false, false, true]);
  });

  it('refuses at construction a policy that does not validate against the generated schema, naming file, line and policy', () => {
    const files = [...examplePolicyFiles(), { path: 'policies/typo.cedar', text: '// a comment\n\n@id("typo")\npermit (principal, action, resource)\nwhen { context.hours > 9 };\n' }];
    expect(() => cedarPolicy({ policies: files, model: companyModel() })).toThrow(PolicyError);
    expect(() => cedarPolicy({ policies: files, model: companyModel() })).toThrow(/^policies\/typo\.cedar:5 \(policy typo\): .*hours/m);
  });
});

describe('Per-action policy sets change no decision', () => {
  it('a forbid scoped to a list of actions applies to each listed action and to no other', async () => {
    const forbid = {
      path: 'policies/list.cedar',
      text: '@id("no-money")\n@reason("money tools are frozen")\nforbid (principal, action in [Action::"tool:revenue_report", Action::"tool:customer_summary"], resource);\n',
    };
    const policy = cedarPolicy({ policies: [...examplePolicyFiles(), forbid], model: companyModel(), timeZone: 'Europe/Berlin' });
    const call = (name: string) => policy(user(['Management']), { kind: 'tool', name, arguments: {} }, context(berlin('10:00')));
    expect(await call('revenue_report')).toMatchObject({ allow: false, reason: 'money tools are frozen', policies: ['no-money'] });
    expect(await call('customer_summary')).toMatchObject({ allow: false, policies: ['no-money'] });
    expect(await call('analytics_overview')).toMatchObject({ allow: true, policies: ['members-use-consented-tools'] });
  });
});
