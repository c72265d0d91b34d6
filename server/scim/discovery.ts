// The SCIM discovery documents (RFC 7644 §4): what this service supports, so a provisioning
// client configures itself. PATCH and filtering (eq on userName/externalId/displayName) are
// supported; bulk, sort, ETags and password change are not.

import { MAX_PAGE, SCIM } from './protocol';

export function serviceProviderConfig(base: string): Record<string, unknown> {
  return {
    schemas: [SCIM.serviceProviderConfig],
    documentationUri: `${base}/docs/identity`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{
      type: 'oauthbearertoken', name: 'Bearer token', primary: true,
      description: 'A token IT generates per identity provider in SalesVault (shown once, rotatable).',
    }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string): Record<string, unknown>[] {
  return [
    {
      schemas: [SCIM.resourceType], id: 'User', name: 'User', endpoint: '/Users', schema: SCIM.user,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [SCIM.resourceType], id: 'Group', name: 'Group', endpoint: '/Groups', schema: SCIM.group,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

const a = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name, type, multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...extra,
});

export function schemas(base: string): Record<string, unknown>[] {
  return [
    {
      schemas: [SCIM.schema], id: SCIM.user, name: 'User', description: 'A SalesVault user provisioned by the identity provider',
      attributes: [
        a('userName', 'string', { required: true, uniqueness: 'server' }),
        a('displayName', 'string'),
        a('externalId', 'string', { caseExact: true }),
        a('active', 'boolean'),
        a('name', 'complex', { subAttributes: [a('givenName', 'string'), a('familyName', 'string'), a('formatted', 'string')] }),
        a('emails', 'complex', { multiValued: true, subAttributes: [a('value', 'string'), a('type', 'string'), a('primary', 'boolean')] }),
        a('groups', 'complex', { multiValued: true, mutability: 'readOnly', subAttributes: [a('value', 'string'), a('display', 'string')] }),
      ],
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${SCIM.user}` },
    },
    {
      schemas: [SCIM.schema], id: SCIM.group, name: 'Group', description: 'A group; IT maps group names to a role and an org unit',
      attributes: [
        a('displayName', 'string', { required: true }),
        a('externalId', 'string', { caseExact: true }),
        a('members', 'complex', { multiValued: true, subAttributes: [a('value', 'string', { mutability: 'immutable' }), a('display', 'string')] }),
      ],
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${SCIM.group}` },
    },
  ];
}
