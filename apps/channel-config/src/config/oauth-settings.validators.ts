import { ValidateBy, type ValidationArguments } from 'class-validator';

const isSet = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/**
 * An optional absolute URL of an OAuth endpoint: https, or http only with OAUTH_ALLOW_HTTP_ENDPOINTS=true (a local
 * test provider). Tokens and codes travel over these, so plain HTTP is refused unless someone says so.
 */
export function OAuthEndpoint(): PropertyDecorator {
  return ValidateBy({
    name: 'oauthEndpoint',
    validator: {
      validate(value: unknown, args?: ValidationArguments) {
        if (!isSet(value)) return true;
        if (typeof value !== 'string') return false;
        let url: URL;
        try {
          url = new URL(value);
        } catch {
          return false;
        }
        const allowHttp = (args?.object as { OAUTH_ALLOW_HTTP_ENDPOINTS?: unknown }).OAUTH_ALLOW_HTTP_ENDPOINTS === true;
        return url.protocol === 'https:' || (url.protocol === 'http:' && allowHttp);
      },
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be an https:// URL (http:// only with OAUTH_ALLOW_HTTP_ENDPOINTS=true, for a local test provider)`,
    },
  });
}

/** Required as soon as any of `others` is set (a client id without its secret or redirect URL cannot work). */
export function RequiredWith(others: string[]): PropertyDecorator {
  return ValidateBy({
    name: 'requiredWith',
    validator: {
      validate(value: unknown, args?: ValidationArguments) {
        const environment = args?.object as Record<string, unknown>;
        if (isSet(value)) return typeof value === 'string';
        return !others.some((other) => isSet(environment[other]));
      },
      defaultMessage: (args?: ValidationArguments) => {
        const environment = args?.object as Record<string, unknown>;
        return `${args?.property} is required when ${others.filter((other) => isSet(environment[other])).join(' or ')} is set`;
      },
    },
  });
}

/** A comma-separated list of host names or addresses. */
export function HostList(): PropertyDecorator {
  return ValidateBy({
    name: 'hostList',
    validator: {
      validate: (value: unknown) => !isSet(value) || (typeof value === 'string' && hostsOf(value).every((host) => /^[\w.:-]+$/.test(host))),
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must be host names separated by commas`,
    },
  });
}

export function hostsOf(list: string): string[] {
  return list
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter((host) => host !== '');
}
