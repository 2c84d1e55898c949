export { Database, DatabaseUnavailable, MIGRATIONS_TABLE, type DatabaseOptions } from './database';
export { parseConnectionUrl, redactConnection, type ConnectionTarget } from './connection-url';
export {
  DbServiceRegistry,
  isUniqueViolation,
  type ZunServicePatch,
  type ZunServiceRepository,
} from './zun-service.repository';
