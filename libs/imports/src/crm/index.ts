export { CrmRequestError, openCrmRows } from './crm-reader';
export type { CrmPaging, CrmRequest } from './crm-request';
export { crmUrlViolation } from './crm-url';
