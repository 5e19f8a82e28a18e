import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from '../../../collector/access/passwords.ts';
import { allows, grantsOf, parseRoles, permittedSites } from '../../../collector/access/roles.ts';

describe('roles', () => {
  it.each([
    // roles, permission, sites asked, allowed
    [{ '*': 'owner' }, 'manage-users', '*', true],
    [{ '*': 'admin' }, 'manage-users', '*', false],
    [{ 'a.example': 'admin' }, 'manage-site', ['a.example'], true],
    [{ 'a.example': 'admin' }, 'manage-site', ['b.example'], false],
    [{ 'a.example': 'admin' }, 'read', '*', false],
    [{ 'a.example': 'viewer' }, 'read', ['a.example', 'b.example'], false],
    [{ 'a.example': 'viewer', 'b.example': 'viewer' }, 'read', ['a.example', 'b.example'], true],
    [{ 'a.example': 'viewer' }, 'erase', ['a.example'], false],
    [{ '*': 'viewer', 'a.example': 'admin' }, 'manage-site', ['a.example'], true],
    [{ '*': 'viewer', 'a.example': 'admin' }, 'manage-site', ['b.example'], false],
    [{ '*': 'admin', 'a.example': 'viewer' }, 'manage-site', ['a.example'], true],
    [{ 'a.example': 'viewer' }, 'read', 'any', true],
    [{ 'a.example': 'viewer' }, 'track', 'any', false],
    [{ 'a.example': 'viewer' }, 'read', [], false],
    // Inherited properties are no sites: a crafted ?site= must be a 403, never a TypeError.
    [{ 'a.example': 'viewer' }, 'read', ['constructor'], false],
    [{ 'a.example': 'viewer' }, 'read', ['__proto__'], false],
    [{ 'a.example': 'viewer' }, 'read', ['tostring'], false],
  ] as const)('%j: %s on %j → %s', (roles, need, scope, expected) => {
    expect(allows(grantsOf(roles), need, scope)).toBe(expected);
  });

  it('narrows a site list to the permitted sites', () => {
    const grants = grantsOf({ 'a.example': 'viewer', 'c.example': 'admin' });
    expect(permittedSites(grants, 'read', ['a.example', 'b.example', 'c.example'])).toEqual([
      'a.example',
      'c.example',
    ]);
    expect(permittedSites(grantsOf({ '*': 'viewer' }), 'read', ['x.example'])).toEqual(['x.example']);
  });

  it.each([
    [{ '*': 'viewer' }, { '*': 'viewer' }],
    [{ 'Shop.Example': 'admin' }, { 'shop.example': 'admin' }],
    [{ 'localhost:8080': 'viewer' }, { 'localhost:8080': 'viewer' }],
    [{ 'a.example': 'owner' }, 'roles: owner is a role for "*" only'],
    [{ 'a.example': 'root' }, 'roles: the role of a.example must be one of viewer, admin, owner'],
    [{ 'a b': 'viewer' }, 'roles: "a b" is not a site name or "*"'],
    [{}, 'roles must give at least one site (or "*") a role'],
    [['viewer'], 'roles must be an object of site (or "*") to role'],
    [null, 'roles must be an object of site (or "*") to role'],
    [{ __proto__: 'viewer' }, 'roles must give at least one site (or "*") a role'],
  ])('parses %j → %j', (raw, expected) => {
    expect(parseRoles(raw)).toEqual(expected);
  });
});

describe('passwords', () => {
  it('hash with scrypt and a fresh salt, verify the right password only, in any case of a damaged hash', async () => {
    const [one, two] = [
      await hashPassword('correct horse battery'),
      await hashPassword('correct horse battery'),
    ];
    expect(one).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(one).not.toBe(two);
    expect(await verifyPassword('correct horse battery', one)).toBe(true);
    expect(await verifyPassword('correct horse batterY', one)).toBe(false);
    expect(await verifyPassword('correct horse battery', null)).toBe(false);
    expect(await verifyPassword('correct horse battery', one.replace('scrypt', 'md5'))).toBe(false);
    expect(await verifyPassword('correct horse battery', one.slice(0, -4))).toBe(false);
    expect(await verifyPassword('correct horse battery', 'scrypt$x$8$1$a$b')).toBe(false);
  });

  it.each([
    ['123456789', 'password must be at least 10 characters'],
    ['1234567890', null],
    [42, 'password must be a string'],
    ['x'.repeat(1025), 'password must be at most 1024 characters'],
  ])('%j → %j', (password, problem) => {
    expect(passwordProblem(password)).toBe(problem);
  });
});
