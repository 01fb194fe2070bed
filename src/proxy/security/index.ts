// Public surface of the data-plane security library (re-exports only).
export * from "./authorization/authorization.js";
export * from "./authorization/ip-block.js";
export * from "./authorization/path-template.js";
export * from "./authorization/request.js";
export { compileRule, conditionMatches, InvalidRuleError, requestPrincipalMatcher, ruleMatches } from "./authorization/rule.js";
export type { CompiledRule, Condition, RequestPrincipalMatcher } from "./authorization/rule.js";
export * from "./authorization/string-match.js";
export * from "./client-tls.js";
export * from "./connection-security.js";
export * from "./identity.js";
export * from "./peer-authentication.js";
export * from "./policy-scope.js";
export * from "./jwks.js";
export * from "./jwt-signature.js";
export * from "./request-authentication.js";
export * from "./test-jwt.js";
