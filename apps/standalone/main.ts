import { runMain } from '@sms/application';

// The embedded profile: the four apps in one process over PGlite and the in-process transport.
runMain(['projector', 'api', 'scheduler', 'sender'], 'standalone');
