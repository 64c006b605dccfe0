export { createScimApp, type ScimAppOptions } from './app.ts';
export { syncAccess, directoryActor, type DirectoryDeps } from './access.ts';
export { issueScimToken, orgOfScimToken, ScimTokenExistsError, ScimTokenMissingError, SCIM_TOKEN_PREFIX, type IssueScimTokenInput, type ScimTokenMode } from './token.ts';
export { SCIM_CONTENT_TYPE, URN as SCIM_URN, ScimError } from './wire.ts';
