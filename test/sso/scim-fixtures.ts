// SCIM request bodies as Microsoft Entra ID and Okta send them (shapes from their published SCIM
// provisioning documentation; ids and names changed to fit the test organisation).

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export const entra = {
  createUser: (userName: string) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'Li Na', familyName: 'Li', givenName: 'Na' },
    roles: [],
  }),
  /** Entra without the SCIM-compliance flag sends the boolean as a string and capitalises the op. */
  disableUser: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
  updateUser: {
    schemas: [PATCH_OP],
    Operations: [
      { op: 'Replace', path: 'displayName', value: 'Li Na (Shanghai)' },
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'na.li@acme.example' },
      { op: 'Replace', path: 'name.familyName', value: 'Li' },
      { op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Sales' },
    ],
  },
  createGroup: (displayName: string) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group'],
    externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
    displayName,
    meta: { resourceType: 'Group' },
  }),
  addMember: (userId: string) => ({
    schemas: [PATCH_OP],
    Operations: [{ name: 'addMember', op: 'add', path: 'members', value: [{ $ref: null, value: userId }] }],
  }),
  removeMember: (userId: string) => ({
    schemas: [PATCH_OP],
    Operations: [{ name: 'removeMember', op: 'remove', path: 'members', value: [{ $ref: null, value: userId }] }],
  }),
  userFilter: (userName: string) => `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
  groupFilter: (displayName: string) => `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`,
};

export const okta = {
  createUser: (userName: string) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName: 'Wang', familyName: 'Fang' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Wang Fang',
    locale: 'en-US',
    externalId: '00ujl29u0le5T6Aj10h7',
    groups: [],
    password: '1mz050nq',
    active: true,
  }),
  deactivateUser: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] },
  createGroup: (displayName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, members: [] }),
  moveMember: (removeId: string | null, addId: string | null, display: string) => ({
    schemas: [PATCH_OP],
    Operations: [
      ...(removeId ? [{ op: 'remove', path: `members[value eq "${removeId}"]` }] : []),
      ...(addId ? [{ op: 'add', path: 'members', value: [{ value: addId, display }] }] : []),
    ],
  }),
  renameGroup: (id: string, displayName: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id, displayName } }] }),
  userFilter: (userName: string) => `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`,
};
