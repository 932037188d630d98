import { runMain } from '@sms/application';

runMain(['scheduler'], 'scheduler');
