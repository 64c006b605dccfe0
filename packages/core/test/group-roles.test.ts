import { describe, expect, it } from 'vitest';
import { rolesForGroups } from '../src/group-roles.ts';

const mapping = { groupRoles: { eng: ['Engineering'], leads: ['Engineering', 'Management'] }, defaultRoles: ['Employee'] };

describe('directory groups → organization roles', () => {
  it('gives the union of every mapped group, each role once', () => {
    expect(rolesForGroups(mapping, ['eng', 'leads'])).toEqual(['Engineering', 'Management']);
  });
  it('gives the default roles when no group is mapped', () => {
    expect(rolesForGroups(mapping, ['sales'])).toEqual(['Employee']);
    expect(rolesForGroups(mapping, [])).toEqual(['Employee']);
  });
  it('compares group names exactly: `Eng` is not `eng`', () => {
    expect(rolesForGroups(mapping, ['Eng'])).toEqual(['Employee']);
  });
  it('never maps a group named after an Object prototype member', () => {
    expect(rolesForGroups({ groupRoles: {}, defaultRoles: [] }, ['constructor', '__proto__', 'toString'])).toEqual([]);
  });
});
