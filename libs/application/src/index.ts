export * from './bootstrap/run-processes';
export * from './config/app-config';
export * from './infrastructure/infrastructure';
export * from './infrastructure/secrets';
export * from './logging/logger';
export * from './scheduler/dispatch-scheduler';
export * from './read-models/read-models.service';
export * from './api/auth/access-token';
export { ROLES, type Role } from './api/auth/roles';
