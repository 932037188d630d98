import { runMain } from '@sms/application';

runMain(['sender'], 'sender');
