export * from './mapping';
export * from './csv';
export * from './database';
export * from './crm';
export * from './payment';
