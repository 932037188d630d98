import { runMain } from '@sms/application';

runMain(['api'], 'api');
