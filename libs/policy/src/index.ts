export { type Check, type PolicyCredentials, type PolicyTarget, type RuleResolver, evaluate, interpolate, pyStr, TRUE_CHECK, FALSE_CHECK } from './check';
export { parseRule, parseRuleList, PolicyRuleSyntaxError } from './rule.parser';
export { parsePolicyFile, PolicyFileError, type PolicyFileRule } from './policy-file.parser';
export { BASE_RULES, DEFAULT_RULES, samplePolicyYaml, type RuleDefault } from './default.rules';
export {
  PolicyEnforcer,
  type PolicyEnforcerOptions,
  PolicyNotRegistered,
  credentialsFromContext,
  defaultTarget,
  resolvePolicyPath,
} from './policy.enforcer';
