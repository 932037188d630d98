import { runMain } from '@sms/application';

runMain(['projector'], 'projector');
