import type { MiddlewareFactory } from '@zun-ts/plugin-api';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Adds a header to every response of the pipeline it stands in. Options (its `[filter:x]` section):
 * `header` (default X-Zun-Example) and `value` (default: the element's name).
 */
export const responseHeader: MiddlewareFactory = (options, context) => {
  const header = options['header'] ?? 'X-Zun-Example';
  const value = options['value'] ?? context.element;
  if (!TOKEN.test(header)) throw new Error(`header ${JSON.stringify(header)} is not an HTTP header name`);
  if (/[\r\n]/.test(value)) throw new Error('value holds a line break');
  context.logger.info('adding a response header', { header, value });
  return (_req, res, next) => {
    res.setHeader(header, value);
    next();
  };
};
