import { InvalidValue } from '@zun-ts/common';

/** Zun's image pull policies, in the lower case Zun compares them in. */
export const IMAGE_PULL_POLICIES = ['always', 'ifnotpresent', 'never'] as const;
/** One of {@link IMAGE_PULL_POLICIES}. */
export type ImagePullPolicy = (typeof IMAGE_PULL_POLICIES)[number];

/**
 * The stored policy in canonical form (`IfNotPresent` → `ifnotpresent`); null when unset.
 * @throws InvalidValue for anything else.
 */
export function normalizePullPolicy(policy: string | null | undefined): ImagePullPolicy | null {
  if (policy === null || policy === undefined || policy === '' || policy === 'None') return null;
  const p = policy.toLowerCase();
  if ((IMAGE_PULL_POLICIES as readonly string[]).includes(p)) return p as ImagePullPolicy;
  throw new InvalidValue(`Invalid image_pull_policy '${policy}': must be one of always, ifnotpresent, never`);
}

/**
 * The policy in force: the container's own, else (as Zun does) `always` for the `latest` tag and
 * `ifnotpresent` for any other tag or a digest.
 */
export function effectivePullPolicy(policy: string | null | undefined, tag: string | null): ImagePullPolicy {
  return normalizePullPolicy(policy) ?? (tag === 'latest' ? 'always' : 'ifnotpresent');
}

/** What to do about an image: pull it, use the local copy, or fail because it is absent and may not be pulled. */
export type PullDecision = 'pull' | 'use-local' | 'missing';

/** Zun's rule: `never` pulls nothing, `always` always pulls, `ifnotpresent` pulls when the image is absent. */
export function decidePull(policy: ImagePullPolicy, presentLocally: boolean): PullDecision {
  switch (policy) {
    case 'always':
      return 'pull';
    case 'ifnotpresent':
      return presentLocally ? 'use-local' : 'pull';
    case 'never':
      return presentLocally ? 'use-local' : 'missing';
  }
}
